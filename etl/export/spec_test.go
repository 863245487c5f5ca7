package export

import (
	"context"
	"path"
	"strings"
	"testing"

	"etlrunner/etl/warehouse"
)

func TestSpecValidation(t *testing.T) {
	db := openDB(t, salesTable)
	cases := []struct {
		name string
		spec Spec
		want string
	}{
		{"no model", Spec{Relation: "sales", Format: CSV}, "model name is empty"},
		{"bad format", Spec{Model: "m", Relation: "sales", Format: "xlsx"}, `format "xlsx"`},
		{"partition and split", Spec{Model: "m", Relation: "sales", Format: CSV, PartitionBy: []string{"region"}, SplitBy: "region"}, "cannot be combined"},
		{"escaping path", Spec{Model: "m", Relation: "sales", Format: CSV, Path: "../m.csv"}, "leaves the output dir"},
		{"absolute path", Spec{Model: "m", Relation: "sales", Format: CSV, Path: "/tmp/m.csv"}, "must be relative"},
		{"manifest path", Spec{Model: "m", Relation: "sales", Format: CSV, Path: "_manifest.json"}, "reserved"},
		{"unknown partition column", Spec{Model: "m", Relation: "sales", Format: CSV, PartitionBy: []string{"country"}}, `columns "country" are not in the relation`},
		{"unknown order column", Spec{Model: "m", Relation: "sales", Format: CSV, OrderBy: []string{"day DESC"}}, `order_by column "day"`},
		{"incomplete pivot", Spec{Model: "m", Relation: "sales", Format: CSV, Pivot: &Pivot{Names: "region"}}, "pivot needs"},
		{"missing relation", Spec{Model: "m", Relation: `"gold"."nope"`, Format: CSV}, "does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Write(context.Background(), db, t.TempDir(), tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestDefaultPaths(t *testing.T) {
	cases := []struct {
		spec Spec
		want string
	}{
		{Spec{Model: "m", Format: CSV}, "m.csv"},
		{Spec{Model: "m", Format: Parquet}, "m.parquet"},
		{Spec{Model: "m", Format: CSV, SplitBy: "k"}, "m"},
		{Spec{Model: "m", Format: Parquet, PartitionBy: []string{"k"}}, "m"},
		{Spec{Model: "m", Format: CSV, Path: `reports\m.csv`}, "reports/m.csv"},
		{Spec{Model: "m", Format: CSV, Path: "./reports//m.csv"}, "reports/m.csv"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			tc.spec.Relation = "x"
			got, err := normalize(tc.spec)
			if err != nil || got.Path != tc.want {
				t.Fatalf("path = %q (%v), want %q", got.Path, err, tc.want)
			}
		})
	}
}

func TestParseRelation(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`"gold"."invoice_averages"`, []string{"gold", "invoice_averages"}},
		{`"we""ird"."a.b"`, []string{`we"ird`, "a.b"}},
		{`"db"."gold"."t"`, []string{"db", "gold", "t"}},
		{`gold.t`, nil},
		{`"gold".t`, nil},
		{`"gold`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseRelation(tc.in)
			if (err != nil) != (tc.want == nil) || strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("parseRelation(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func FuzzParseRelation(f *testing.F) {
	for _, s := range []string{`"gold"."t"`, `"a""b"."c"`, `x.y`, `"`, `"a".`, `"a"."b"."c"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts, err := parseRelation(s)
		if err != nil {
			return
		}
		// What parses must quote back to the same relation.
		quoted := make([]string, len(parts))
		for i, p := range parts {
			quoted[i] = warehouse.QuoteIdent(p)
		}
		if got := strings.Join(quoted, "."); got != strings.TrimSpace(s) {
			t.Fatalf("parseRelation(%q) = %q, which quotes back to %q", s, parts, got)
		}
	})
}

func TestParseOrderTerm(t *testing.T) {
	cases := []struct{ in, name, dir string }{
		{"amount", "amount", ""},
		{" amount  DESC ", "amount", " DESC"},
		{"amount asc", "amount", ""},
		{"first answer desc", "first answer", " DESC"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			name, dir, err := parseOrderTerm(tc.in)
			if err != nil || name != tc.name || dir != tc.dir {
				t.Fatalf("parseOrderTerm(%q) = %q, %q, %v", tc.in, name, dir, err)
			}
		})
	}
	if _, _, err := parseOrderTerm("  "); err == nil {
		t.Fatal("an empty term must be rejected")
	}
}

func FuzzParseOrderTerm(f *testing.F) {
	for _, s := range []string{"amount", "amount DESC", "a b asc", " desc", "", "\tx\tDESC"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, dir, err := parseOrderTerm(s)
		if err != nil {
			return
		}
		if name == "" || name != strings.TrimSpace(name) || (dir != "" && dir != " DESC") {
			t.Fatalf("parseOrderTerm(%q) = %q, %q", s, name, dir)
		}
	})
}

func TestCheckSplitValue(t *testing.T) {
	for _, ok := range []string{"F1000", "a b", "x=y", ".hidden", "ação"} {
		if err := checkSplitValue(ok); err != nil {
			t.Errorf("checkSplitValue(%q) = %v", ok, err)
		}
	}
}

func FuzzCheckSplitValue(f *testing.F) {
	for _, s := range []string{"F1000", "a/b", "..", "", "a\\b", "x\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkSplitValue(s) != nil {
			return
		}
		// An accepted value must stay one plain name inside its directory.
		name := "k=" + s + ".csv"
		if strings.ContainsAny(s, "/\\\x00") || strings.Contains(s, "..") || path.Base(name) != name {
			t.Fatalf("accepted %q", s)
		}
	})
}
