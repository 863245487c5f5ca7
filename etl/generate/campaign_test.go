package generate

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

func writeCampaignFile(t *testing.T, rows int, seed uint64) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := Run(context.Background(), "campaign", Options{Rows: rows, Seed: seed, Out: dir}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "campaign_transactions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCampaignDeterministic(t *testing.T) {
	tests := []struct {
		name       string
		rows       int
		seedA      uint64
		seedB      uint64
		wantSame   bool
		wantRecord int
	}{
		{name: "same seed, default size", seedA: 1, seedB: 1, wantSame: true, wantRecord: campaign.DefaultRows},
		{name: "same seed, odd size", rows: 777, seedA: 9, seedB: 9, wantSame: true, wantRecord: 777},
		{name: "other seed", rows: 300, seedA: 1, seedB: 2, wantSame: false, wantRecord: 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := writeCampaignFile(t, tt.rows, tt.seedA)
			b := writeCampaignFile(t, tt.rows, tt.seedB)
			if got := bytes.Equal(a, b); got != tt.wantSame {
				t.Fatalf("same bytes = %v, want %v", got, tt.wantSame)
			}
			if got := bytes.Count(a, []byte("\n")) - 1; got != tt.wantRecord {
				t.Errorf("%d records, want %d", got, tt.wantRecord)
			}
		})
	}
}

// campaignRow is one record of the file as text, by column.
type campaignRow struct {
	txnTime, txnDate, orderID, uid, shop, owner, gmv, rebate string
}

var campaignDigits = regexp.MustCompile(`^[0-9]+$`)

func (r campaignRow) valid() bool {
	_, errT := time.Parse(time.DateTime, r.txnTime)
	_, errD := time.Parse(time.DateTime, r.txnDate)
	return errT == nil && errD == nil && r.txnTime[:10] == r.txnDate[:10] &&
		campaignDigits.MatchString(r.orderID) && campaignDigits.MatchString(r.uid) && campaignDigits.MatchString(r.shop) &&
		campaignDigits.MatchString(r.owner) && campaignDigits.MatchString(r.gmv) && campaignDigits.MatchString(r.rebate)
}

func (r campaignRow) money() (gmv, rebate int64) {
	gmv, _ = strconv.ParseInt(r.gmv, 10, 64)
	rebate, _ = strconv.ParseInt(r.rebate, 10, 64)
	return gmv, rebate
}

func readCampaignRows(t *testing.T, data []byte) []campaignRow {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"txn_time", "txn_date", "order_id", "uid", "shop_id", "shop_owner_uid", "gmv", "rebate"}
	for i, n := range want {
		if records[0][i] != n {
			t.Fatalf("header %v, want %v", records[0], want)
		}
	}
	rows := make([]campaignRow, 0, len(records)-1)
	for _, f := range records[1:] {
		rows = append(rows, campaignRow{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]})
	}
	return rows
}

// campaignCountValid counts the valid rows matching keep.
func campaignCountValid(rows []campaignRow, keep func(r campaignRow) bool) int {
	n := 0
	for _, r := range rows {
		if r.valid() && keep(r) {
			n++
		}
	}
	return n
}

// campaignGroupsOver counts the keys (of valid rows matching keep) with more than
// min rows.
func campaignGroupsOver(rows []campaignRow, key func(r campaignRow) string, keep func(r campaignRow) bool, min int) int {
	counts := map[string]int{}
	n := 0
	for _, r := range rows {
		if !r.valid() || !keep(r) {
			continue
		}
		counts[key(r)]++
		if counts[key(r)] == min+1 {
			n++
		}
	}
	return n
}

func TestCampaignDirtyCases(t *testing.T) {
	rows := readCampaignRows(t, writeCampaignFile(t, 0, 1))
	bad := func(s string) bool { return s != "" && !campaignDigits.MatchString(s) }
	badTime := func(s string) bool { _, err := time.Parse(time.DateTime, s); return err != nil }
	all := func(campaignRow) bool { return true }
	tiny := func(r campaignRow) bool { g, _ := r.money(); return g < 1000 }
	orders := map[string]int{}
	for _, r := range rows {
		orders[r.orderID]++
	}
	tests := []struct {
		name string
		n    int
	}{
		{"missing order_id", orders[""]},
		{"bad order_id", campaignCount(rows, func(r campaignRow) bool { return bad(r.orderID) })},
		{"duplicate order_id", campaignGroupsOver(rows, func(r campaignRow) string { return r.orderID }, all, 1)},
		{"missing uid", campaignCount(rows, func(r campaignRow) bool { return r.uid == "" })},
		{"bad uid", campaignCount(rows, func(r campaignRow) bool { return bad(r.uid) })},
		{"missing shop_id", campaignCount(rows, func(r campaignRow) bool { return r.shop == "" })},
		{"bad shop_id", campaignCount(rows, func(r campaignRow) bool { return bad(r.shop) })},
		{"missing owner", campaignCount(rows, func(r campaignRow) bool { return r.owner == "" })},
		{"bad owner", campaignCount(rows, func(r campaignRow) bool { return bad(r.owner) })},
		{"bad txn_time", campaignCount(rows, func(r campaignRow) bool { return badTime(r.txnTime) })},
		{"bad txn_date", campaignCount(rows, func(r campaignRow) bool { return badTime(r.txnDate) })},
		{"txn_date of another day", campaignCount(rows, func(r campaignRow) bool {
			return !badTime(r.txnTime) && !badTime(r.txnDate) && r.txnTime[:10] != r.txnDate[:10]
		})},
		{"missing gmv", campaignCount(rows, func(r campaignRow) bool { return r.gmv == "" })},
		{"non-numeric gmv", campaignCount(rows, func(r campaignRow) bool { return bad(r.gmv) && r.gmv[0] != '-' })},
		{"negative gmv", campaignCount(rows, func(r campaignRow) bool { return len(r.gmv) > 1 && r.gmv[0] == '-' })},
		{"missing rebate", campaignCount(rows, func(r campaignRow) bool { return r.rebate == "" })},
		{"non-numeric rebate", campaignCount(rows, func(r campaignRow) bool { return bad(r.rebate) && r.rebate[0] != '-' })},
		{"negative rebate", campaignCount(rows, func(r campaignRow) bool { return len(r.rebate) > 1 && r.rebate[0] == '-' })},
		{"order under 1000", campaignCountValid(rows, tiny)},
		{"shop boosting with several tiny orders a day", campaignGroupsOver(rows, func(r campaignRow) string { return r.shop + r.txnDate }, tiny, 2)},
		{"several vouchers per customer and day", campaignGroupsOver(rows, func(r campaignRow) string { return r.uid + r.txnDate },
			func(r campaignRow) bool { _, rb := r.money(); return rb > 0 }, 1)},
		{"rebate over the cap", campaignCountValid(rows, func(r campaignRow) bool {
			g, rb := r.money()
			return rb > min((3*g+5)/10, 20000)
		})},
		{"owner buys from own shop", campaignCountValid(rows, func(r campaignRow) bool { return r.uid == r.owner })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.n == 0 {
				t.Errorf("no %s in the default campaign seeds", tt.name)
			}
		})
	}
}

// campaignCount counts every row matching keep, valid or not.
func campaignCount(rows []campaignRow, keep func(r campaignRow) bool) int {
	n := 0
	for _, r := range rows {
		if keep(r) {
			n++
		}
	}
	return n
}
