package generate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"
)

func cdcGenerate(t *testing.T, rows int, seed uint64) map[string][]byte {
	t.Helper()
	out := t.TempDir()
	if err := Run(context.Background(), "ecommerce_cdc", Options{Rows: rows, Seed: seed, Out: out}); err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob(filepath.Join(out, "ecommerce_cdc", "*.jsonl"))
	if err != nil || len(paths) < 3 {
		t.Fatalf("want a snapshot and several change files, got %v (%v)", paths, err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = data
	}
	return files
}

func TestEcommerceCDCDeterministic(t *testing.T) {
	a, b, other := cdcGenerate(t, 400, 7), cdcGenerate(t, 400, 7), cdcGenerate(t, 400, 8)
	if len(a) != len(b) {
		t.Fatalf("two runs wrote %d and %d files", len(a), len(b))
	}
	same := true
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
		same = same && bytes.Equal(data, other[name])
	}
	if same {
		t.Error("another seed wrote the same bytes")
	}
}

// cdcLine is what the dirty-case checks read of an event; raw fields keep
// the JSON as written, so a string and a number can be told apart.
type cdcLine struct {
	Before, After map[string]json.RawMessage
	Op            string
	TsMs          json.RawMessage `json:"ts_ms"`
	Source        map[string]json.RawMessage
	file          string
}

func (l cdcLine) table() string {
	var s string
	_ = json.Unmarshal(l.Source["table"], &s)
	return s
}

func (l cdcLine) ts() (int64, bool) {
	n, err := strconv.ParseInt(string(l.TsMs), 10, 64)
	return n, err == nil
}

func cdcLines(t *testing.T, files map[string][]byte) []cdcLine {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var lines []cdcLine
	for _, n := range names {
		sc := bufio.NewScanner(bytes.NewReader(files[n]))
		for sc.Scan() {
			var l cdcLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("%s: %v: %s", n, err, sc.Text())
			}
			l.file = n
			lines = append(lines, l)
		}
	}
	return lines
}

// TestEcommerceCDCDirtyCases checks that every case the models must handle
// is in the files, at the committed size and at a small one.
func TestEcommerceCDCDirtyCases(t *testing.T) {
	for _, rows := range []int{ecommerceCDC.DefaultRows, 40} {
		t.Run(strconv.Itoa(rows), func(t *testing.T) {
			found := cdcCases(cdcLines(t, cdcGenerate(t, rows, 1)))
			for _, want := range []string{
				"unknown op", "unknown table", "missing ts_ms", "ts_ms is not an integer", "missing lsn",
				"lsn is not an integer", "missing after", "missing before", "missing key", "key is not an integer",
				"orders.total_price is not a decimal", "missing orders.customer_id", "orders.order_time is not a timestamp",
				"order_items.quantity is not an integer", "snapshot read", "total_price as base64", "total_price as a number",
				"high-value order", "quantity of 0 or less", "delete orders", "delete order_items", "order burst",
				"stale u after a newer u in an earlier file", "stale u after a newer d in an earlier file", "duplicate event",
			} {
				if !found[want] {
					t.Errorf("no %s in the generated files", want)
				}
			}
		})
	}
}

// cdcCases names the cases the lines hold.
func cdcCases(lines []cdcLine) map[string]bool {
	found := map[string]bool{}
	newest := map[string]cdcLine{} // newest event of each order so far, in file order
	placed := map[string][]time.Time{}
	for _, l := range lines {
		tbl := l.table()
		ts, tsOK := l.ts()
		_, hasLSN := l.Source["lsn"]
		var lsn int64
		lsnOK := json.Unmarshal(l.Source["lsn"], &lsn) == nil
		switch {
		case l.Op == "t":
			found["unknown op"] = true
		case tbl == "cart_items":
			found["unknown table"] = true
		case string(l.TsMs) == "null":
			found["missing ts_ms"] = true
		case !tsOK:
			found["ts_ms is not an integer"] = true
		case !hasLSN:
			found["missing lsn"] = true
		case !lsnOK:
			found["lsn is not an integer"] = true
		case l.Op == "u" && l.After == nil:
			found["missing after"] = true
		case l.Op == "d" && l.Before == nil:
			found["missing before"] = true
		}
		found["snapshot read"] = found["snapshot read"] || l.Op == "r"
		if l.Op == "d" && l.Before != nil {
			found["delete "+tbl] = true
		}
		if tbl == "order_items" && l.After != nil {
			switch string(l.After["quantity"]) {
			case `"two"`:
				found["order_items.quantity is not an integer"] = true
			case "0", "-1":
				found["quantity of 0 or less"] = true
			}
		}
		if tbl != "orders" {
			continue
		}
		cdcOrderCases(found, l, placed)
		// Out of order across files: an event older than one of the same
		// order already written in an earlier file.
		id := l.After["order_id"]
		if l.Op == "d" {
			id = l.Before["order_id"]
		}
		if id == nil || !tsOK || !lsnOK {
			continue
		}
		prev, seen := newest[string(id)]
		prevTs, _ := prev.ts()
		if seen && prevTs > ts && prev.file < l.file {
			found["stale "+l.Op+" after a newer "+prev.Op+" in an earlier file"] = true
		}
		if seen && prevTs == ts && bytes.Equal(prev.Source["lsn"], l.Source["lsn"]) {
			found["duplicate event"] = true
		}
		if !seen || ts > prevTs {
			newest[string(id)] = l
		}
	}
	for _, times := range placed {
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		for i := 5; i < len(times); i++ {
			found["order burst"] = found["order burst"] || times[i].Sub(times[i-5]) < time.Minute
		}
	}
	return found
}

// cdcOrderCases names the cases of one orders event, and records when each
// customer placed an order.
func cdcOrderCases(found map[string]bool, l cdcLine, placed map[string][]time.Time) {
	if l.After == nil {
		return
	}
	id, total, customer := l.After["order_id"], l.After["total_price"], string(l.After["customer_id"])
	switch {
	case id == nil:
		found["missing key"] = true
	case id[0] == '"':
		found["key is not an integer"] = true
	case string(total) == `"#N/A"`:
		found["orders.total_price is not a decimal"] = true
	case len(total) > 0 && total[0] == '"':
		found["total_price as base64"] = true
	default:
		found["total_price as a number"] = true
	}
	if customer == "null" {
		found["missing orders.customer_id"] = true
	}
	if v := string(l.After["order_time"]); len(v) > 3 && v[3] == '/' {
		found["orders.order_time is not a timestamp"] = true
	}
	if v, err := strconv.ParseFloat(string(total), 64); err == nil && v > 10_000_000 {
		found["high-value order"] = true
	}
	var at time.Time
	if l.Op == "c" && json.Unmarshal(l.After["order_time"], &at) == nil {
		placed[customer] = append(placed[customer], at)
	}
}
