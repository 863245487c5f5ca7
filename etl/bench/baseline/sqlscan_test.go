package main

import (
	"strings"
	"testing"
)

func TestParseStatement(t *testing.T) {
	tests := []struct {
		name, sql, keyword string
		params             int
		meta               bool
		bound              string // "" when the placeholders cannot be bound
		target             string
	}{
		{name: "no placeholder", sql: "SELECT 1", keyword: "SELECT", bound: "SELECT 1"},
		{name: "bare placeholder", sql: "DELETE FROM etl_meta.file_ledger WHERE seed = ?", keyword: "DELETE", params: 1, meta: true},
		{name: "quoted meta schema", sql: `SELECT * FROM "etl_meta"."runs"`, keyword: "SELECT", meta: true, bound: `SELECT * FROM "etl_meta"."runs"`},
		{name: "question marks in literals and comments", keyword: "CREATE",
			sql:   "-- who's there?\nCREATE TABLE t AS SELECT 'why?' AS \"a?\", $$b?$$ /* c? /* nested? */ still? */",
			bound: "-- who's there?\nCREATE TABLE t AS SELECT 'why?' AS \"a?\", $$b?$$ /* c? /* nested? */ still? */"},
		{name: "load time", sql: "INSERT INTO raw.t SELECT a, CAST(? AS TIMESTAMPTZ) FROM x", keyword: "INSERT", params: 1,
			bound: "INSERT INTO raw.t SELECT a, CAST('2026-01-02 03:04:05+00' AS TIMESTAMPTZ) FROM x"},
		{name: "numbered placeholder", sql: "SELECT $1, 'it''s'", keyword: "SELECT", params: 1},
		{name: "partitioned export", sql: "COPY (SELECT 'TO' FROM t WHERE x = 'to') TO 'out/day=1/data_0.csv' (FORMAT csv)",
			keyword: "COPY", bound: "COPY (SELECT 'TO' FROM t WHERE x = 'to') TO 'out/day=1/data_0.csv' (FORMAT csv)", target: "out/day=1/data_0.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := parseStatement(tt.sql)
			if st.keyword != tt.keyword || len(st.params) != tt.params || st.meta != tt.meta {
				t.Errorf("keyword %q params %d meta %v, want %q %d %v", st.keyword, len(st.params), st.meta, tt.keyword, tt.params, tt.meta)
			}
			bound, ok := st.bindTimestamps("2026-01-02 03:04:05+00")
			if ok != (tt.bound != "") || bound != tt.bound {
				t.Errorf("bound %q (%v), want %q", bound, ok, tt.bound)
			}
			if target, _ := st.copyTarget(); target != tt.target {
				t.Errorf("copy target %q, want %q", target, tt.target)
			}
		})
	}
}

// Whatever the text, the scanner's tokens lie inside it in order, and a
// statement bound without placeholders is unchanged.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"SELECT ?", "'a''b' \"c\" -- d\n/* e */ $x$f$x$ $1", "CAST(? AS TIMESTAMPTZ)", "$", "'", "/*/*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		prev := 0
		for _, tok := range tokenize(sql) {
			if tok.pos < prev || tok.end <= tok.pos || tok.end > len(sql) {
				t.Fatalf("token %+v out of order or range in %q", tok, sql)
			}
			prev = tok.end
		}
		st := parseStatement(sql)
		if len(st.params) == 0 {
			if got, ok := st.bindTimestamps("x"); !ok || got != sql {
				t.Fatalf("bound %q without placeholders", sql)
			}
		}
		if strings.Count(sql, "?") == 0 && len(st.params) > 0 && !strings.Contains(sql, "$") {
			t.Fatalf("placeholders found in %q", sql)
		}
	})
}
