package generate

import (
	"strconv"
	"time"
)

// cdcFlaws is how many kinds of malformed event plantFlaws knows: one per
// reject reason of the bronze model (a value of each kind that cannot be
// typed, and a missing required value, stand for their families).
const cdcFlaws = 14

// plantFlaws commits malformed events about order o, a second after it was
// placed: every kind when all is set, otherwise one at random. Each would
// change the order if it were taken, so a reject that leaks shows.
func (s *cdcShop) plantFlaws(o *cdcOrder, all bool) error {
	kinds := []int{s.r.IntN(cdcFlaws)}
	if all {
		kinds = kinds[:0]
		for k := range cdcFlaws {
			kinds = append(kinds, k)
		}
	}
	ts := o.at.Add(time.Second).UnixMilli()
	for _, k := range kinds {
		if _, err := s.w.emit(s.flawed(k, o, ts)); err != nil {
			return err
		}
	}
	return nil
}

func (s *cdcShop) flawed(kind int, o *cdcOrder, ts int64) cdcEvent {
	e := cdcEvent{table: "orders", op: "u", ts: ts, after: s.orderImage(&cdcOrder{id: o.id, customer: o.customer,
		status: "delivered", at: o.at, total: 100})}
	set := func(name, value string) {
		for i := range e.after {
			if e.after[i].name == name {
				e.after[i].value = value
			}
		}
	}
	switch kind {
	case 0: // a truncate, which the models do not know
		e.op, e.after = "t", nil
	case 1:
		e.table, e.op = "cart_items", "c"
		e.after = []cdcField{{"cart_item_id", cdcInt(o.id)}, {"customer_id", cdcInt(o.customer)}, {"quantity", "1"}}
	case 2:
		e.flaw = cdcNullTs
	case 3:
		e.flaw = cdcTextTs
	case 4:
		e.flaw = cdcNoLSN
	case 5:
		e.flaw = cdcTextLSN
	case 6:
		e.after = nil
	case 7:
		e.op, e.after = "d", nil
	case 8:
		e.op, e.after = "c", e.after[1:]
	case 9:
		set("order_id", strconv.Quote("ORD-"+strconv.FormatInt(o.id, 10)))
	case 10:
		set("total_price", strconv.Quote("#N/A"))
	case 11:
		set("order_time", strconv.Quote(o.at.Format("02/01/2006 15:04")))
	case 12:
		it := o.items[0]
		it.qty = 99
		e.table, e.after = "order_items", s.itemImage(o, it)
		e.after[3].value = strconv.Quote("two")
	case 13:
		set("customer_id", "null")
	}
	return e
}
