package tmpl

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"etlrunner/etl/warehouse"
)

func TestSQLStringFilter(t *testing.T) {
	e := newTestEngine(t)
	c := testContext()
	c.Vars = map[string]any{"quote": "x' OR '1'='1", "n": 0.04, "flag": true, "none": nil, "list": []any{"a"}}
	for _, tc := range []struct{ src, want, err string }{
		{src: "{{ var('quote') | sql_string }}", want: `'x'' OR ''1''=''1'`},
		{src: "{{ var('n') | sql_string }}", want: `'0.04'`},
		{src: "{{ var('flag') | sql_string }}", want: `'True'`},
		{src: "{{ var('none') | sql_string }}", err: "sql_string: the value is undefined or none"},
		{src: "{{ nosuch | sql_string }}", err: "sql_string: the value is undefined or none"},
		{src: "{{ var('list') | sql_string }}", err: "is not a text, number or boolean"},
		{src: "{{ var('quote') | sql_string(1) }}", err: "sql_string"},
	} {
		res, err := e.Render(context.Background(), "m.sql", tc.src, c)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.src, err, tc.err)
		case tc.err == "" && tc.want != "" && (err != nil || res.SQL != tc.want):
			t.Errorf("%s: %v %v, want %s", tc.src, res, err, tc.want)
		}
	}
}

// FuzzSQLString renders any text through the filter and reads it back
// from DuckDB: the literal is always exactly the value, whatever quotes,
// backslashes, comments or semicolons it holds.
func FuzzSQLString(f *testing.F) {
	for _, s := range []string{"", "plain", "it's", "''", `\'`, "'; DROP TABLE x; --", "/* c */", "é漢字", "line\nbreak", "$$x$$", "E'\\n'"} {
		f.Add(s)
	}
	w, err := warehouse.Open(context.Background(), warehouse.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { w.Close() })
	e := newTestEngine(f)
	f.Fuzz(func(t *testing.T, s string) {
		c := testContext()
		c.Vars = map[string]any{"v": s}
		res, err := e.Render(context.Background(), "m.sql", "SELECT {{ var('v') | sql_string }} AS v", c)
		if strings.ContainsRune(s, 0) {
			if err == nil {
				t.Fatalf("a NUL character was rendered: %q", res.SQL)
			}
			return
		}
		if err != nil {
			t.Fatalf("render %q: %v", s, err)
		}
		var got string
		if err := w.DB.QueryRow(res.SQL).Scan(&got); err != nil {
			if !utf8.ValidString(s) {
				return // DuckDB refuses invalid UTF-8 in a statement, as it should
			}
			t.Fatalf("%s: %v", res.SQL, err)
		}
		if got != s {
			t.Fatalf("%s reads back %q, want %q", res.SQL, got, s)
		}
	})
}
