package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"unicode/utf8"
)

func openTest(t testing.TB) *Warehouse {
	t.Helper()
	wh, err := Open(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	return wh
}

func mustExec(t testing.TB, q Querier, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := q.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestCatalog(t *testing.T) {
	ctx := context.Background()
	wh := openTest(t)
	mustExec(t, wh.DB,
		"CREATE SCHEMA silver",
		`CREATE TABLE silver.orders (id INTEGER, "Amount" DECIMAL(9,2), note VARCHAR, ts TIMESTAMPTZ)`,
		"CREATE VIEW silver.big AS SELECT id, note FROM silver.orders WHERE id > 10",
		"CREATE TABLE main.orders (x BOOLEAN)",
	)
	cases := []struct {
		schema, name, kind string
		cols               []Column
	}{
		{"silver", "orders", "table", []Column{{"id", "INTEGER"}, {"Amount", "DECIMAL(9,2)"}, {"note", "VARCHAR"}, {"ts", "TIMESTAMP WITH TIME ZONE"}}},
		{"silver", "big", "view", []Column{{"id", "INTEGER"}, {"note", "VARCHAR"}}},
		{"main", "orders", "table", []Column{{"x", "BOOLEAN"}}},
		{"silver", "missing", "", nil},
		{"nowhere", "orders", "", nil},
		// Names are matched exactly, as the quoted relation names are written.
		{"silver", "ORDERS", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.schema+"."+tc.name, func(t *testing.T) {
			kind, err := RelationKind(ctx, wh.DB, tc.schema, tc.name)
			if err != nil || kind != tc.kind {
				t.Errorf("RelationKind = %q, %v; want %q", kind, err, tc.kind)
			}
			cols, err := Columns(ctx, wh.DB, tc.schema, tc.name)
			if err != nil || fmt.Sprint(cols) != fmt.Sprint(tc.cols) {
				t.Errorf("Columns = %v, %v; want %v", cols, err, tc.cols)
			}
		})
	}
	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := RelationKind(cctx, wh.DB, "silver", "orders"); err == nil {
			t.Error("RelationKind: no error")
		}
		if _, err := Columns(cctx, wh.DB, "silver", "orders"); err == nil {
			t.Error("Columns: no error")
		}
	})
}

func TestOpenRunsInUTC(t *testing.T) {
	wh := openTest(t)
	var tz string
	if err := wh.DB.QueryRowContext(context.Background(), "SELECT current_setting('TimeZone')").Scan(&tz); err != nil || tz != "UTC" {
		t.Errorf("TimeZone = %q, %v", tz, err)
	}
}

// names with every kind of quote a user could put in a name or value.
var awkward = []string{`plain`, `we"ird`, `""`, `it's`, `''`, `back\slash`, `semi; DROP TABLE x; --`, `ünïcödé`, `sp ace`, `"; SELECT 1 --`}

func TestQuoteIdent(t *testing.T) {
	ctx := context.Background()
	wh := openTest(t)
	for i, name := range awkward {
		t.Run(name, func(t *testing.T) {
			schema := fmt.Sprintf("s%d%s", i, name)
			rel := Qualified(schema, name)
			mustExec(t, wh.DB, "CREATE SCHEMA "+QuoteIdent(schema),
				fmt.Sprintf("CREATE TABLE %s AS SELECT 1 AS %s", rel, QuoteIdent(name)))
			kind, err := RelationKind(ctx, wh.DB, schema, name)
			if err != nil || kind != "table" {
				t.Errorf("RelationKind = %q, %v", kind, err)
			}
			cols, err := Columns(ctx, wh.DB, schema, name)
			if err != nil || len(cols) != 1 || cols[0].Name != name {
				t.Errorf("Columns = %v, %v", cols, err)
			}
			var n int
			if err := wh.DB.QueryRowContext(ctx, fmt.Sprintf("SELECT %s FROM %s", QuoteIdent(name), rel)).Scan(&n); err != nil || n != 1 {
				t.Errorf("select: %d, %v", n, err)
			}
		})
	}
}

func TestQuoteString(t *testing.T) {
	wh := openTest(t)
	for _, s := range append(awkward, "", "line\nbreak", "tab\there") {
		t.Run(s, func(t *testing.T) {
			if got := roundTrip(t, wh.DB, s); got != s {
				t.Errorf("got %q, want %q", got, s)
			}
		})
	}
}

func roundTrip(t testing.TB, db *sql.DB, s string) string {
	t.Helper()
	var got string
	if err := db.QueryRowContext(context.Background(), "SELECT "+QuoteString(s)).Scan(&got); err != nil {
		t.Fatalf("%s: %v", QuoteString(s), err)
	}
	return got
}

// FuzzQuote: whatever text a user writes, quoting it gives back exactly that
// text as a value and as a column name, and never more SQL.
func FuzzQuote(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	wh := openTest(f)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || containsNUL(s) {
			t.Skip("DuckDB takes SQL text as NUL-free UTF-8")
		}
		if got := roundTrip(t, wh.DB, s); got != s {
			t.Errorf("string: got %q, want %q", got, s)
		}
		if s == "" {
			return // an empty identifier is not a name
		}
		rows, err := wh.DB.QueryContext(context.Background(), "SELECT 1 AS "+QuoteIdent(s))
		if err != nil {
			t.Fatalf("ident %q: %v", s, err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil || len(cols) != 1 || cols[0] != s {
			t.Errorf("ident: columns %q, %v; want %q", cols, err, s)
		}
	})
}

func containsNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

// Describe sees what the catalog query does not: temporary tables and
// subqueries.
func TestDescribe(t *testing.T) {
	wh := openTest(t)
	conn, err := wh.DB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	mustExec(t, conn, "CREATE TEMP TABLE t AS SELECT 1 AS id, 'x' AS name")
	for _, source := range []string{"t", "(SELECT id, name FROM t)"} {
		cols, err := Describe(context.Background(), conn, source)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(cols); got != "[{id INTEGER} {name VARCHAR}]" {
			t.Errorf("%s: %s", source, got)
		}
	}
	if _, err := Describe(context.Background(), conn, "missing"); err == nil {
		t.Error("no error for a missing relation")
	}
}
