package generate

import (
	"container/heap"
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// cdcCategories: name, parent (0: none), price range in VND, and how often
// a line sells from the category. Phones and laptops are rare but dear,
// which is where high-value orders come from.
var cdcCategories = []struct {
	name      string
	parent    int64
	low, high float64
	weight    float64
	nouns     []string
	skuPrefix string
}{
	{"Phones & Tablets", 0, 2_500_000, 30_000_000, 4, []string{"Phone", "Tablet"}, "PH"},
	{"Laptops", 0, 12_000_000, 45_000_000, 1.5, []string{"Laptop", "Ultrabook"}, "LP"},
	{"Accessories", 0, 50_000, 900_000, 18, []string{"Case", "Earbuds", "Screen Guard"}, "AC"},
	{"Chargers & Cables", 3, 80_000, 700_000, 14, []string{"Charger", "Cable", "Power Bank"}, "CH"},
	{"Fashion", 0, 90_000, 1_500_000, 20, []string{"T-Shirt", "Sneakers", "Backpack"}, "FA"},
	{"Home & Kitchen", 0, 150_000, 6_000_000, 12, []string{"Rice Cooker", "Kettle", "Fan"}, "HK"},
	{"Beauty", 0, 80_000, 1_200_000, 14, []string{"Serum", "Sunscreen", "Lipstick"}, "BE"},
	{"Books", 0, 40_000, 400_000, 8, []string{"Novel", "Cookbook", "Notebook"}, "BO"},
	{"Toys", 0, 60_000, 1_500_000, 5, []string{"Puzzle", "Robot Kit", "Doll"}, "TO"},
	{"Groceries", 0, 20_000, 300_000, 3.5, []string{"Coffee", "Green Tea", "Snack Box"}, "GR"},
}

var (
	cdcBrands   = []string{"Lotus", "Saigon", "Mekong", "Hanoi", "Orchid", "Bamboo", "Lumen", "Nova"}
	cdcFamilies = []string{"Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui", "Do", "Ngo"}
	cdcGiven    = []string{"An", "Binh", "Chi", "Dung", "Giang", "Hoa", "Khanh", "Linh", "Minh", "Nam", "Phuong", "Quan", "Thao", "Tuan", "Vy"}
	cdcCities   = []string{"Ha Noi", "Ho Chi Minh City", "Da Nang", "Hai Phong", "Can Tho", "Hue", "Nha Trang", "Vung Tau"}
	cdcMethods  = []string{"card", "e_wallet", "e_wallet", "bank_transfer", "cod"}
	cdcCarriers = []string{"GHN", "GHTK", "Viettel Post", "J&T Express"}
)

const cdcPerProduct = 8 // products per category

type cdcProduct struct {
	id, category int64
	sku, name    string
	price        int64 // cents
}

type cdcCustomer struct {
	id                int64
	email, name, city string
	created           time.Time
}

type cdcItem struct {
	id, product int64
	qty         int
	unit        int64 // cents
}

type cdcOrder struct {
	id, customer int64
	at           time.Time
	status       string
	total        int64 // cents, positive lines only
	items        []cdcItem
	payment      int64
	shipment     int64
	shippedAt    time.Time
	cancelPaid   bool     // cancelled after it was paid
	last         cdcEvent // the order's latest event, for stale copies
}

// cdcShop simulates the shop: its catalogue, customers and orders, and the
// steps orders take later (a heap by time).
type cdcShop struct {
	r         *rand.Rand
	w         *cdcWriter
	products  []cdcProduct
	weights   []float64 // cumulative category weights
	customers []cdcCustomer
	steps     cdcSteps
	seq       int64
	ids       struct{ order, item, payment, shipment int64 }
	delivered int
	stale     map[string]int // stale copies sent, by "previous op>new op"
}

func newCDCShop(r *rand.Rand, w *cdcWriter, rows int) *cdcShop {
	s := &cdcShop{r: r, w: w, stale: map[string]int{}}
	sum := 0.0
	for i, c := range cdcCategories {
		sum += c.weight
		s.weights = append(s.weights, sum)
		for j := range cdcPerProduct {
			id := int64(100 + i*cdcPerProduct + j)
			price := math.Exp(math.Log(c.low) + r.Float64()*(math.Log(c.high)-math.Log(c.low)))
			name := cdcBrands[r.IntN(len(cdcBrands))] + " " + c.nouns[j%len(c.nouns)] + " " + strconv.Itoa(2+r.IntN(98))
			s.products = append(s.products, cdcProduct{id: id, category: int64(i + 1),
				sku: c.skuPrefix + "-" + strconv.FormatInt(id, 10), name: name, price: int64(price/1000) * 1000 * 100})
		}
	}
	for i := range max(40, rows/5) {
		s.customers = append(s.customers, s.newCustomer(int64(i+1), cdcSnapshotAt))
	}
	return s
}

func (s *cdcShop) newCustomer(id int64, before time.Time) cdcCustomer {
	r := s.r
	family, given := cdcFamilies[r.IntN(len(cdcFamilies))], cdcGiven[r.IntN(len(cdcGiven))]
	return cdcCustomer{id: id, name: family + " " + given, city: cdcCities[r.IntN(len(cdcCities))],
		email:   strings.ToLower(given+"."+family) + strconv.FormatInt(id, 10) + "@example.com",
		created: before.Add(-time.Duration(r.IntN(600*24*3600)) * time.Second)}
}

// snapshot writes the initial read of categories, products and customers.
func (s *cdcShop) snapshot() error {
	ts := cdcSnapshotAt.UnixMilli()
	emit := func(table string, image []cdcField) error {
		ts++
		return s.w.write(cdcEvent{table: table, op: "r", ts: ts, lsn: s.w.lsn, after: image})
	}
	for i, c := range cdcCategories {
		parent := "null"
		if c.parent > 0 {
			parent = cdcInt(c.parent)
		}
		image := []cdcField{{"category_id", cdcInt(int64(i + 1))}, {"name", strconv.Quote(c.name)}, {"parent_id", parent}}
		if err := emit("categories", image); err != nil {
			return err
		}
	}
	for _, p := range s.products {
		if err := emit("products", s.productImage(p)); err != nil {
			return err
		}
	}
	for _, c := range s.customers {
		if err := emit("customers", customerImage(c)); err != nil {
			return err
		}
	}
	return nil
}

func (s *cdcShop) productImage(p cdcProduct) []cdcField {
	return []cdcField{{"product_id", cdcInt(p.id)}, {"category_id", cdcInt(p.category)}, {"sku", strconv.Quote(p.sku)},
		{"name", strconv.Quote(p.name)}, {"price", cdcDecimal(s.r, p.price)}}
}

func customerImage(c cdcCustomer) []cdcField {
	return []cdcField{{"customer_id", cdcInt(c.id)}, {"email", strconv.Quote(c.email)}, {"full_name", strconv.Quote(c.name)},
		{"city", strconv.Quote(c.city)}, {"created_at", cdcTime(c.created)}}
}

// cdcStep is something that happens to an order later.
type cdcStep struct {
	at    time.Time
	seq   int64
	order *cdcOrder
	kind  string // pay, ship, deliver, refund, cancel
}

type cdcSteps []cdcStep

func (h cdcSteps) Len() int { return len(h) }
func (h cdcSteps) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h cdcSteps) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cdcSteps) Push(x any)   { *h = append(*h, x.(cdcStep)) }
func (h *cdcSteps) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (s *cdcShop) schedule(o *cdcOrder, kind string, at time.Time) {
	s.seq++
	heap.Push(&s.steps, cdcStep{at: at, seq: s.seq, order: o, kind: kind})
}

// runUntil carries out every step due by t.
func (s *cdcShop) runUntil(t time.Time) error {
	for len(s.steps) > 0 && !s.steps[0].at.After(t) {
		step := heap.Pop(&s.steps).(cdcStep)
		if err := s.step(step); err != nil {
			return err
		}
	}
	return nil
}

// trade places rows orders at a steady pace with random gaps, now and then
// a burst of one customer's orders seconds apart, and carries out their
// later steps in time order.
func (s *cdcShop) trade(ctx context.Context, rows int) error {
	r := s.r
	span := float64(max(2, rows/cdcOrdersPerDay)) * 24 * 3600
	mean := span / float64(max(1, rows))
	t, burst, burster := cdcOpenAt, 0, int64(0)
	plantAt := min(10, rows-1)
	for i := range rows {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if i%150 == min(75, rows/2) {
			burst, burster = 6+r.IntN(3), s.customers[r.IntN(len(s.customers))].id
		}
		customer := int64(0)
		if burst > 0 {
			burst--
			customer = burster
			t = t.Add(time.Duration(2+r.IntN(8)) * time.Second)
		} else {
			t = t.Add(time.Duration(r.ExpFloat64()*mean*1000) * time.Millisecond)
		}
		if err := s.runUntil(t); err != nil {
			return err
		}
		o, err := s.place(i, t, customer)
		if err != nil {
			return err
		}
		if i == plantAt || r.Float64() < 0.002 {
			if err := s.plantFlaws(o, i == plantAt); err != nil {
				return err
			}
		}
	}
	return s.runUntil(time.Unix(math.MaxInt32, 0))
}
