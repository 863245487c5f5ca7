package generate

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// campaign writes campaign_transactions.csv: the orders of a voucher
// campaign from 2019-10-30, one voucher (30% off, capped at 20,000 VND) per
// customer and day. Every block of campaignBlock rows plants the same
// scenes at fixed places, so every fraud rule and reject reason shows up at
// any size from one block on.
var campaign = Family{
	Name:        "campaign",
	Description: "voucher campaign orders in VND, with planted frauds and malformed rows",
	DefaultRows: 2000,
	Write:       writeCampaign,
}

const (
	campaignBlock     = 100
	campaignRebateCap = 20000
	campaignHeader    = `"txn_time","txn_date","order_id","uid","shop_id","shop_owner_uid","gmv","rebate"` + "\n"
)

// Places in a block. Boosting: one customer and then two others place tiny
// orders at the same shop; vouchers: one customer uses two vouchers on one
// day; the malformed slots cycle through campaignDefects.
const (
	slotBoostFirst   = 7
	slotBoostLast    = 10
	slotVoucherFirst = 20
	slotVoucherAgain = 21
	slotOverCap      = 30
	slotOwnShop      = 40
	slotMalformedA   = 49
	slotMalformedB   = 99
)

// campaignDefects are the malformed rows, one per reject reason of the
// bronze model. "duplicate" repeats the previous line as it was (a
// re-delivered order); the models keep the last copy.
var campaignDefects = []string{
	"missing order_id", "bad order_id", "missing uid", "bad uid",
	"missing shop_id", "bad shop_id", "missing owner", "bad owner",
	"bad txn_time", "bad txn_date", "other day", "missing gmv", "bad gmv",
	"negative gmv", "missing rebate", "bad rebate", "negative rebate", "duplicate",
}

type campaignGen struct {
	r         *rand.Rand
	start     time.Time
	perDay    int
	customers int
	shops     int
	mate      campaignOrder // the first order of the block's current scene
	prev      string        // the previous line, for the planted duplicate
}

type campaignOrder struct {
	at                        time.Time
	orderID, uid, shop, owner int64
	gmv, rebate               int64
}

func writeCampaign(ctx context.Context, opts Options) error {
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return fmt.Errorf("landing folder: %w", err)
	}
	path := filepath.Join(opts.Out, "campaign_transactions.csv")
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<16)
	if _, err := w.WriteString(campaignHeader); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	g := newCampaignGen(opts)
	for i := range opts.Rows {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if _, err := w.WriteString(g.line(i)); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func newCampaignGen(opts Options) *campaignGen {
	// Four days as in the original campaign; big runs get more days, so a
	// day stays around 100,000 orders.
	days := max(4, min(366, opts.Rows/100_000))
	return &campaignGen{
		r:         newRand(opts.Seed, "campaign"),
		start:     time.Date(2019, 10, 30, 0, 0, 0, 0, time.UTC),
		perDay:    max(1, (opts.Rows+days-1)/days),
		customers: max(10, opts.Rows*2),
		shops:     max(10, opts.Rows/4),
	}
}

// line renders row i: an ordinary order, changed by the scene its place in
// the block plants.
func (g *campaignGen) line(i int) string {
	o := g.order(i)
	slot := i % campaignBlock
	switch {
	case slot == slotBoostFirst:
		o.gmv, o.rebate = g.tinyGMV(), 0
		g.mate = o
	case slot > slotBoostFirst && slot <= slotBoostLast:
		if slot == slotBoostFirst+1 {
			o.uid = g.mate.uid
		}
		o.shop, o.owner = g.mate.shop, g.mate.owner
		o.gmv, o.rebate = g.tinyGMV(), 0
	case slot == slotVoucherFirst:
		o.rebate = campaignRebate(o.gmv)
		g.mate = o
	case slot == slotVoucherAgain:
		o.uid = g.mate.uid
		o.rebate = campaignRebate(o.gmv)
	case slot == slotOverCap:
		o.rebate = campaignRebate(o.gmv) + 500*int64(1+g.r.IntN(20))
	case slot == slotOwnShop:
		o.uid = o.owner
		o.rebate = campaignRebate(o.gmv)
	}
	f := o.fields()
	if slot == slotMalformedA || slot == slotMalformedB {
		defect := campaignDefects[(i/(campaignBlock/2))%len(campaignDefects)]
		if defect == "duplicate" && g.prev != "" {
			return g.prev
		}
		campaignDefect(f, defect, o)
	}
	g.prev = campaignLine(f)
	return g.prev
}

// order draws an ordinary order for row i: a popular shop more often than
// not, most customers buying once or twice, a voucher on most orders.
func (g *campaignGen) order(i int) campaignOrder {
	day, k := i/g.perDay, i%g.perDay
	minute := k * 1440 / g.perDay
	if step := 1440 / g.perDay; step > 1 {
		minute += g.r.IntN(step)
	}
	shop := g.r.IntN(g.r.IntN(g.r.IntN(g.shops)+1) + 1)
	o := campaignOrder{
		at:      g.start.AddDate(0, 0, day).Add(time.Duration(min(minute, 1439)) * time.Minute),
		orderID: 141_900_000 + int64(i)*17 + int64(g.r.IntN(17)),
		uid:     campaignCustomer(g.r.IntN(g.r.IntN(g.customers) + 1)),
		shop:    campaignShop(shop),
		owner:   campaignOwner(shop),
		gmv:     g.gmv(),
	}
	if g.r.IntN(100) < 88 {
		o.rebate = campaignRebate(o.gmv)
	}
	return o
}

// customer is mostly anyone, sometimes one of the loyal few who buy often.
func (g *campaignGen) customer() int {
	if g.r.IntN(10) < 8 {
		return g.r.IntN(g.customers)
	}
	return g.r.IntN(g.r.IntN(g.customers) + 1)
}

// gmv is mostly a few tens of thousands of VND in round thousands, with a
// tail of large baskets and some odd amounts.
func (g *campaignGen) gmv() int64 {
	var v int64
	switch p := g.r.IntN(100); {
	case p < 80:
		v = 1000 * int64(15+g.r.IntN(160))
	case p < 95:
		v = 1000 * int64(175+g.r.IntN(800))
	default:
		v = 1000 * int64(1000+g.r.IntN(2750))
	}
	if g.r.IntN(10) == 0 {
		v += int64(1 + g.r.IntN(999))
	}
	return v
}

// tinyGMV is an implausible order, the kind a shop places to boost its
// order count.
func (g *campaignGen) tinyGMV() int64 {
	return []int64{1, 1, 10, 68, 100, 123, 500, 999}[g.r.IntN(8)]
}

// campaignRebate is the voucher's full refund: min(round(30% of gmv), cap).
func campaignRebate(gmv int64) int64 {
	return min((3*gmv+5)/10, campaignRebateCap)
}

// Identifiers are spread like real ones but distinct by construction: the
// multiplier exceeds the largest remainder added.
func campaignCustomer(i int) int64 {
	return 100_000_000 + int64(i)*37 + int64(i*i%31)
}

func campaignShop(i int) int64 { return 100 + int64(i)*13 + int64(i*i%11) }

func campaignOwner(i int) int64 { return 1_000_000 + int64(i)*53 + int64(i*i%47) }

func (o campaignOrder) fields() []string {
	return []string{
		o.at.Format(time.DateTime),
		o.at.Format(time.DateOnly) + " 00:00:00",
		strconv.FormatInt(o.orderID, 10),
		strconv.FormatInt(o.uid, 10),
		strconv.FormatInt(o.shop, 10),
		strconv.FormatInt(o.owner, 10),
		strconv.FormatInt(o.gmv, 10),
		strconv.FormatInt(o.rebate, 10),
	}
}

// campaignDefect breaks one field of f the way landing files break.
func campaignDefect(f []string, defect string, o campaignOrder) {
	switch defect {
	case "missing order_id":
		f[2] = ""
	case "bad order_id":
		f[2] = "ORD-" + f[2]
	case "missing uid":
		f[3] = ""
	case "bad uid":
		f[3] = "1.02e8"
	case "missing shop_id":
		f[4] = ""
	case "bad shop_id":
		f[4] = "shop-" + f[4]
	case "missing owner":
		f[5] = ""
	case "bad owner":
		f[5] = "n/a"
	case "bad txn_time":
		f[0] = o.at.Format("02/01/2006 15:04")
	case "bad txn_date":
		f[1] = o.at.Format("2006-01") + "-32 00:00:00"
	case "other day":
		f[1] = o.at.AddDate(0, 0, 1).Format(time.DateOnly) + " 00:00:00"
	case "missing gmv":
		f[6] = ""
	case "bad gmv":
		f[6] = strconv.FormatInt(o.gmv/1000, 10) + "k"
	case "negative gmv":
		f[6] = "-" + f[6]
	case "missing rebate":
		f[7] = ""
	case "bad rebate":
		f[7] = f[7] + " VND"
	case "negative rebate":
		f[7] = "-" + strconv.FormatInt(campaignRebate(o.gmv), 10)
	}
}

// campaignLine writes the campaign export's style: quoted times, bare numbers.
func campaignLine(f []string) string {
	return `"` + f[0] + `","` + f[1] + `",` + f[2] + "," + f[3] + "," + f[4] + "," + f[5] + "," + f[6] + "," + f[7] + "\n"
}
