package generate

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// place commits a new order (customer 0: pick one, now and then a new
// sign-up) with its items in one transaction, and plans what happens to it.
func (s *cdcShop) place(i int, t time.Time, customer int64) (*cdcOrder, error) {
	r := s.r
	ts := t.UnixMilli() + int64(3+r.IntN(40))
	if customer == 0 && r.Float64() < 0.04 {
		c := s.newCustomer(int64(len(s.customers)+1), t)
		c.created = t.Add(-time.Duration(30+r.IntN(600)) * time.Second)
		s.customers = append(s.customers, c)
		if _, err := s.w.emit(cdcEvent{table: "customers", op: "c", ts: c.created.UnixMilli(), after: customerImage(c)}); err != nil {
			return nil, err
		}
		customer = c.id
	}
	if customer == 0 {
		u := r.Float64() // a few customers order most
		customer = s.customers[int(float64(len(s.customers))*u*u)].id
	}
	s.ids.order++
	o := &cdcOrder{id: s.ids.order, customer: customer, at: t, status: "pending"}
	for range 1 + r.IntN(3) {
		o.items = append(o.items, s.line(s.pick(), cdcQuantity(r)))
	}
	switch {
	case i%100 == 37: // a laptop (12M VND or more): a high-value order at any size
		o.items = append(o.items, s.line(s.products[2*cdcPerProduct-1], 1))
	case i == 4:
		o.items = append(o.items, s.line(s.pick(), 0))
	case i == 6:
		o.items = append(o.items, s.line(s.pick(), -1))
	}
	for _, it := range o.items {
		if it.qty > 0 {
			o.total += int64(it.qty) * it.unit
		}
	}
	var err error
	if o.last, err = s.w.emit(cdcEvent{table: "orders", op: "c", ts: ts, after: s.orderImage(o)}); err != nil {
		return nil, err
	}
	for _, it := range o.items {
		if _, err := s.w.emit(cdcEvent{table: "order_items", op: "c", ts: ts, after: s.itemImage(o, it)}); err != nil {
			return nil, err
		}
	}
	switch {
	case i == 2 || r.Float64() < 0.015:
		o.cancelPaid = true
		s.schedule(o, "pay", t.Add(cdcMinutes(r, 1, 20)))
	case r.Float64() < 0.02:
		s.schedule(o, "cancel", t.Add(cdcMinutes(r, 5, 90)))
	case r.Float64() < 0.06: // abandoned: stays pending
	default:
		s.schedule(o, "pay", t.Add(cdcMinutes(r, 1, 20)))
	}
	return o, s.sideChanges(ts)
}

// sideChanges: now and then a customer moves or a product's price changes.
func (s *cdcShop) sideChanges(ts int64) error {
	r := s.r
	if r.Float64() < 0.01 {
		c := &s.customers[r.IntN(len(s.customers))]
		c.city = cdcCities[r.IntN(len(cdcCities))]
		if _, err := s.w.emit(cdcEvent{table: "customers", op: "u", ts: ts + 500, after: customerImage(*c)}); err != nil {
			return err
		}
	}
	if r.Float64() < 0.005 {
		p := &s.products[r.IntN(len(s.products))]
		p.price = p.price / 100000 * int64(90+r.IntN(21)) * 1000
		if _, err := s.w.emit(cdcEvent{table: "products", op: "u", ts: ts + 700, after: s.productImage(*p)}); err != nil {
			return err
		}
	}
	return nil
}

func (s *cdcShop) pick() cdcProduct {
	x := s.r.Float64() * s.weights[len(s.weights)-1]
	c := 0
	for s.weights[c] < x {
		c++
	}
	return s.products[c*cdcPerProduct+s.r.IntN(cdcPerProduct)]
}

// line sells a product at its price, one line in ten with a 3.5% voucher
// (which brings odd cents).
func (s *cdcShop) line(p cdcProduct, qty int) cdcItem {
	s.ids.item++
	unit := p.price
	if s.r.IntN(10) == 0 {
		unit = unit * 965 / 1000
	}
	return cdcItem{id: s.ids.item, product: p.id, qty: qty, unit: unit}
}

// cdcQuantity is mostly 1 or 2; rarely a data-entry slip of 0 or -1.
func cdcQuantity(r *rand.Rand) int {
	switch p := r.Float64(); {
	case p < 0.01:
		return 0
	case p < 0.015:
		return -1
	case p < 0.75:
		return 1
	case p < 0.95:
		return 2
	}
	return 3
}

func cdcMinutes(r *rand.Rand, low, high int) time.Duration {
	return time.Duration(low*60+r.IntN((high-low)*60)) * time.Second
}

func (s *cdcShop) orderImage(o *cdcOrder) []cdcField {
	return []cdcField{{"order_id", cdcInt(o.id)}, {"customer_id", cdcInt(o.customer)}, {"status", strconv.Quote(o.status)},
		{"order_time", cdcTime(o.at)}, {"total_price", cdcDecimal(s.r, o.total)}}
}

func (s *cdcShop) itemImage(o *cdcOrder, it cdcItem) []cdcField {
	return []cdcField{{"item_id", cdcInt(it.id)}, {"order_id", cdcInt(o.id)}, {"product_id", cdcInt(it.product)},
		{"quantity", strconv.Itoa(it.qty)}, {"unit_price", cdcDecimal(s.r, it.unit)}}
}

// orderChange commits an update or a delete of the order. Now and then
// (always the first time for each pair of operations) the order's previous
// event is sent again in the next file, so it arrives after the newer one.
func (s *cdcShop) orderChange(o *cdcOrder, ts int64, deleted bool) error {
	e := cdcEvent{table: "orders", op: "u", ts: ts, after: s.orderImage(o)}
	if deleted {
		e = cdcEvent{table: "orders", op: "d", ts: ts, before: []cdcField{{"order_id", cdcInt(o.id)}}}
	}
	if pair := o.last.op + ">" + e.op; s.stale[pair] == 0 || s.r.Float64() < 0.03 {
		s.stale[pair]++
		s.w.lateCopy(o.last)
	}
	var err error
	o.last, err = s.w.emit(e)
	return err
}

// step carries out one planned step of an order's life.
func (s *cdcShop) step(st cdcStep) error {
	r, o := s.r, st.order
	ts := st.at.UnixMilli()
	emit := func(table, op string, image []cdcField) error {
		e := cdcEvent{table: table, op: op, ts: ts, after: image}
		if op == "d" {
			e.before, e.after = image, nil
		}
		_, err := s.w.emit(e)
		return err
	}
	switch st.kind {
	case "pay":
		s.ids.payment++
		o.payment, o.status = s.ids.payment, "paid"
		if err := emit("payments", "c", s.paymentImage(o, o.payment, o.total, "captured", st.at)); err != nil {
			return err
		}
		switch {
		case o.cancelPaid:
			s.schedule(o, "cancel", st.at.Add(cdcMinutes(r, 10, 60)))
		case r.Float64() < 0.95:
			s.schedule(o, "ship", st.at.Add(cdcMinutes(r, 120, 600)))
		}
	case "ship":
		s.ids.shipment++
		o.shipment, o.status, o.shippedAt = s.ids.shipment, "shipped", st.at
		if err := emit("shipments", "c", s.shipmentImage(o, time.Time{})); err != nil {
			return err
		}
		s.schedule(o, "deliver", st.at.Add(cdcMinutes(r, 720, 2880)))
	case "deliver":
		o.status = "delivered"
		if err := emit("shipments", "u", s.shipmentImage(o, st.at)); err != nil {
			return err
		}
		if s.delivered++; o.total > 0 && (s.delivered == 3 || r.Float64() < 0.02) {
			s.schedule(o, "refund", st.at.Add(cdcMinutes(r, 60, 1440)))
		}
	case "refund":
		s.ids.payment++
		return emit("payments", "c", s.paymentImage(o, s.ids.payment, -o.total/2, "refunded", st.at))
	case "cancel":
		for _, it := range o.items {
			if err := emit("order_items", "d", []cdcField{{"item_id", cdcInt(it.id)}}); err != nil {
				return err
			}
		}
		if o.payment > 0 {
			if err := emit("payments", "d", []cdcField{{"payment_id", cdcInt(o.payment)}}); err != nil {
				return err
			}
		}
		return s.orderChange(o, ts, true)
	}
	return s.orderChange(o, ts, false)
}

func (s *cdcShop) paymentImage(o *cdcOrder, id, amount int64, status string, at time.Time) []cdcField {
	return []cdcField{{"payment_id", cdcInt(id)}, {"order_id", cdcInt(o.id)}, {"method", strconv.Quote(cdcMethods[o.id%int64(len(cdcMethods))])},
		{"amount", cdcDecimal(s.r, amount)}, {"status", strconv.Quote(status)}, {"paid_at", cdcTime(at)}}
}

func (s *cdcShop) shipmentImage(o *cdcOrder, delivered time.Time) []cdcField {
	status, at := "shipped", "null"
	if !delivered.IsZero() {
		status, at = "delivered", cdcTime(delivered)
	}
	return []cdcField{{"shipment_id", cdcInt(o.shipment)}, {"order_id", cdcInt(o.id)}, {"carrier", strconv.Quote(cdcCarriers[o.id%int64(len(cdcCarriers))])},
		{"status", strconv.Quote(status)}, {"shipped_at", cdcTime(o.shippedAt)}, {"delivered_at", at}}
}
