package cli

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEcommerceCDCDecimalMacros: Debezium's precise decimals decode in SQL to
// the value they encode, whatever their sign and length, and a JSON number
// and its base64 form load to the same DECIMAL.
func TestEcommerceCDCDecimalMacros(t *testing.T) {
	db := memoryDB(t)
	base64Query := macroSQL(t, "SELECT CAST({{ ecommerce_cdc_base64_decimal('v', 2) }} AS VARCHAR) FROM (SELECT CAST(? AS VARCHAR) AS v)", nil)
	for _, c := range []struct{ name, encoded, want string }{
		{"zero", "AA==", "0.00"},
		{"one cent", "AQ==", "0.01"},
		{"largest one-byte value", "fw==", "1.27"},
		{"minus one cent", "/w==", "-0.01"},
		{"smallest one-byte value", "gA==", "-1.28"},
		{"leading zero byte keeps it positive", "AIA=", "1.28"},
		{"two bytes negative", "/wA=", "-2.56"},
		{"five bytes", "ARMyI/A=", "46170204.00"},
		{"five bytes negative", "/uzN3BA=", "-46170204.00"},
		{"eight bytes", "DeC2s6dj//8=", "9999999999999999.99"},
		{"sixteen bytes", "FpHKMoGO1IsC3KPgAAAwOQ==", "300000000000000000000000000000000123.45"},
		{"sixteen bytes negative", "6W41zX5xK3T9I1wf///Pxw==", "-300000000000000000000000000000000123.45"},
		{"largest DECIMAL(38)", "SztMqFqGxHoJiiI//////w==", "999999999999999999999999999999999999.99"},
		{"beyond DECIMAL(38)", "f////////////////////w==", ""},
		{"seventeen bytes", "AAAAAAAAAAAAAAAAAAAAAAA=", ""},
		{"no bytes", "", ""},
		{"not base64", "#N/A", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got sql.NullString
			if err := db.QueryRow(base64Query, c.encoded).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got.String != c.want || got.Valid != (c.want != "") {
				t.Errorf("%q decodes to %v, want %q", c.encoded, got, c.want)
			}
		})
	}
	columnQuery := macroSQL(t, `SELECT CAST({{ ecommerce_cdc_decimal("(j -> 'price')", 2) }} AS VARCHAR) FROM (SELECT CAST(? AS JSON) AS j)`, nil)
	for _, c := range []struct{ name, image, want string }{
		{"base64", `{"price": "ARMyI/A="}`, "46170204.00"},
		{"number with decimals", `{"price": 46170204.00}`, "46170204.00"},
		{"integer number", `{"price": 46170204}`, "46170204.00"},
		{"negative base64", `{"price": "/jY8gA=="}`, "-300000.00"},
		{"negative number", `{"price": -300000}`, "-300000.00"},
		{"beyond DECIMAL(18,2)", `{"price": "DeC2s6dkAAA="}`, ""},
		{"null", `{"price": null}`, ""},
		{"absent", `{"cost": 1}`, ""},
		{"not base64", `{"price": "12.50 VND"}`, ""},
		{"object", `{"price": {"scale": 2, "value": "AQ=="}}`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got sql.NullString
			if err := db.QueryRow(columnQuery, c.image).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got.String != c.want || got.Valid != (c.want != "") {
				t.Errorf("%s gives %v, want %q", c.image, got, c.want)
			}
		})
	}
	// The project's own test of the decoder, which every full build runs.
	t.Run("singular test", func(t *testing.T) {
		etl(t, copyProject(t), "test", "--select", "ecommerce_cdc_decimal_decoding").must(t, 0).
			contains(t, "PASS test ecommerce_cdc_decimal_decoding")
	})
}

// The committed seeds plant every reject reason and every rule; the build,
// with its row audit and the singular tests, passes.
func TestEcommerceCDCDefaultSeeds(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "build", "--select", "+tag:ecommerce_cdc+").must(t, 0).
		contains(t, "row_conservation_ecommerce_cdc_events", "ecommerce_cdc_fraud_rules", "Completed successfully.")
	db := runWarehouse(t, dir)
	defer db.Close()
	rejects := "SELECT count(*) FROM bronze.ecommerce_cdc_events_rejects WHERE _reject_reason SIMILAR TO ?"
	for _, reason := range []string{
		"unknown op", "unknown table", "missing ts_ms", "ts_ms is not an integer", "missing lsn", "lsn is not an integer",
		"missing after", "missing before", "missing key", "key is not an integer",
		`missing [a-z_]+\.[a-z_]+`, `[a-z_]+\.[a-z_]+ is not a decimal`, `[a-z_]+\.[a-z_]+ is not a timestamp`,
		`[a-z_]+\.[a-z_]+ is not an integer`,
	} {
		t.Run("reject "+reason, func(t *testing.T) {
			if queryInt(t, db, rejects, reason) == 0 {
				t.Errorf("no event rejected for %q", reason)
			}
		})
	}
	for _, c := range []struct{ name, query string }{
		{"high_value_order", "SELECT count(*) FROM gold.order_fraud_alerts WHERE rule = 'high_value_order'"},
		{"order_burst", "SELECT count(*) FROM gold.order_fraud_alerts WHERE rule = 'order_burst'"},
		{"snapshot reads", "SELECT count(*) FROM bronze.ecommerce_cdc_events WHERE op = 'r'"},
		{"decimals as base64", "SELECT count(*) FROM bronze.ecommerce_cdc_events WHERE json_type(row_image, '$.total_price') = 'VARCHAR'"},
		{"decimals as numbers", "SELECT count(*) FROM bronze.ecommerce_cdc_events WHERE json_type(row_image, '$.total_price') = 'DOUBLE'"},
		{"deleted orders", "SELECT count(*) FROM silver.ecommerce_cdc_state WHERE table_name = 'orders' AND is_deleted"},
		{"items of quantity 0 or less", "SELECT count(*) FROM silver.ecommerce_order_items WHERE quantity <= 0"},
		{"an older event in a later file than the key's latest", `
			SELECT count(*) FROM bronze.ecommerce_cdc_events AS e
			JOIN silver.ecommerce_cdc_state AS s USING (table_name, pk)
			WHERE (e.ts_ms, e.lsn) < (s.ts_ms, s.lsn) AND e._source_file > s._source_file`},
		{"a stale update after a delete", `
			SELECT count(*) FROM bronze.ecommerce_cdc_events AS e
			JOIN silver.ecommerce_cdc_state AS s USING (table_name, pk)
			WHERE s.op = 'd' AND e.op = 'u' AND e._source_file > s._source_file`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if queryInt(t, db, c.query) == 0 {
				t.Errorf("none: %s", c.query)
			}
		})
	}
	deletedLeft := `SELECT count(*) FROM silver.ecommerce_orders JOIN silver.ecommerce_cdc_state AS s
		ON s.table_name = 'orders' AND s.pk = order_id AND s.is_deleted`
	if n := queryInt(t, db, deletedLeft); n != 0 {
		t.Errorf("%d deleted orders are still current", n)
	}
}

// cdcMoreEvents is a landing file added after a first build: updates and
// deletes of existing keys, a re-created order and a new one, some of them
// older than what the first build saw (and placed after newer ones).
const cdcMoreEvents = `{"before":{"order_id":18},"after":null,"op":"d","ts_ms":1709344800000,"source":{"table":"orders","lsn":3000}}
{"before":null,"after":{"order_id":4,"customer_id":102,"status":"paid","order_time":"2024-03-01T22:00:00Z","total_price":"dzWUAA=="},"op":"u","ts_ms":1709345100000,"source":{"table":"orders","lsn":3008}}
{"before":null,"after":{"order_id":4,"customer_id":102,"status":"paid","order_time":"2024-03-01T22:00:00Z","total_price":60000},"op":"u","ts_ms":1709332200000,"source":{"table":"orders","lsn":2180}}
{"before":null,"after":{"order_id":17,"customer_id":100,"status":"paid","order_time":"2024-03-02T01:00:00Z","total_price":25000000},"op":"c","ts_ms":1709345400000,"source":{"table":"orders","lsn":3016}}
{"before":{"item_id":1002},"after":null,"op":"d","ts_ms":1709345700000,"source":{"table":"order_items","lsn":3024}}
{"before":null,"after":{"category_id":3,"name":"Accessories & Cases","parent_id":null},"op":"u","ts_ms":1709346000000,"source":{"table":"categories","lsn":3032}}
{"before":{"order_id":3},"after":null,"op":"d","ts_ms":1709326800000,"source":{"table":"orders","lsn":1990}}
{"before":null,"after":{"order_id":20,"customer_id":100,"status":"pending","order_time":"2024-03-02T02:30:00Z","total_price":"PQkA"},"op":"c","ts_ms":1709346600000,"source":{"table":"orders","lsn":3040}}
{"before":null,"after":{"item_id":1024,"order_id":20,"product_id":16,"quantity":4,"unit_price":10000},"op":"c","ts_ms":1709346600000,"source":{"table":"order_items","lsn":3048}}
`

// An incremental run after a file is added, and after it is taken away
// again, writes the same outputs as a full refresh; a new file recomputes
// only the keys that changed.
func TestEcommerceCDCIncrementalMatchesFullRefresh(t *testing.T) {
	dir, landing := copyProject(t), t.TempDir()
	copyTree(t, "testdata/e2e/ecommerce_cdc_golden/landing", landing)
	build := func(extra ...string) result {
		args := append([]string{"build", "--select", "+tag:ecommerce_cdc", "--vars", "{seeds_dir: " + landing + "}"}, extra...)
		return etl(t, dir, args...).must(t, 0)
	}
	build()
	first := csvOutputs(t, dir)

	added := filepath.Join(landing, "ecommerce_cdc", "0004-more.jsonl")
	write(t, added, cdcMoreEvents)
	// 8 keys: orders 18, 4, 17, 3, 20; items 1002, 1024; category 3.
	build().contains(t, "incremental model silver.ecommerce_cdc_state", "[INSERT 8, 8 rows in")
	incremental := csvOutputs(t, dir)
	alerts := incremental["order_fraud_alerts.csv"]
	for _, want := range []string{"4,102,2024-03-01T22:00:00,20000000.00,high_value_order,", "17,100,2024-03-02T01:00:00,25000000.00,high_value_order,"} {
		if !strings.Contains(alerts, want) {
			t.Errorf("alerts lack %q:\n%s", want, alerts)
		}
	}
	if strings.Contains(alerts, "\n18,") {
		t.Errorf("deleted order 18 is still alerted:\n%s", alerts)
	}
	build("--full-refresh")
	sameFiles(t, "after adding a file", incremental, csvOutputs(t, dir))

	if err := os.Remove(added); err != nil {
		t.Fatal(err)
	}
	// A file gone takes rows no batch can name: the models that read it
	// rebuild, and nothing else.
	build().contains(t, "incremental model bronze.ecommerce_cdc_events", "CREATE TABLE (rebuilt: files of ecommerce_cdc were replaced or removed)",
		"CREATE TABLE (rebuilt: ecommerce_cdc_events was rebuilt)")
	sameFiles(t, "after removing the file", csvOutputs(t, dir), first)
	build("--full-refresh")
	sameFiles(t, "full refresh after removing the file", csvOutputs(t, dir), first)
}
