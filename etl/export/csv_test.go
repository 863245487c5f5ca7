package export

import (
	"strings"
	"testing"
)

func TestCSVFormatting(t *testing.T) {
	cases := []struct {
		name   string
		typ    string
		values []string // SQL literals, one row each
		want   []string // CSV fields, one per row
	}{
		{"decimal keeps its scale", "DECIMAL(18,2)", []string{"56333.333", "55400", "1234567.5"}, []string{"56333.33", "55400.00", "1234567.50"}},
		{"timestamp without fraction", "TIMESTAMP", []string{"'2019-12-16 13:59:58'"}, []string{"2019-12-16T13:59:58"}},
		{"timestamp with fraction", "TIMESTAMP", []string{"'2020-02-03 14:00:01.001'", "'2020-02-03 14:00:01.123456'"}, []string{"2020-02-03T14:00:01.001", "2020-02-03T14:00:01.123456"}},
		{"timestamp_ms", "TIMESTAMP_MS", []string{"'2020-02-03 14:00:01.5'"}, []string{"2020-02-03T14:00:01.5"}},
		{"timestamptz in UTC", "TIMESTAMPTZ", []string{"'2020-02-03 12:00:00-03'", "'2020-02-03 15:00:00.25+00'"}, []string{"2020-02-03T15:00:00+00:00", "2020-02-03T15:00:00.25+00:00"}},
		{"date", "DATE", []string{"'2019-12-01'"}, []string{"2019-12-01"}},
		{"boolean", "BOOLEAN", []string{"true", "false"}, []string{"true", "false"}},
		{"null is an empty field", "INTEGER", []string{"NULL", "7"}, []string{"", "7"}},
		{"empty string differs from null", "VARCHAR", []string{"''", "NULL"}, []string{`""`, ""}},
		{"quoting only where needed", "VARCHAR", []string{"'plain'", "'a,b'", `'say "hi"'`, "'two' || chr(10) || 'lines'"}, []string{"plain", `"a,b"`, `"say ""hi"""`, "\"two\nlines\""}},
		{"utf-8 text", "VARCHAR", []string{"'ação'"}, []string{"ação"}},
		{"double with a dot", "DOUBLE", []string{"1.5", "-0.25"}, []string{"1.5", "-0.25"}},
		{"map as json", "MAP(VARCHAR, INTEGER)", []string{"MAP {'a': 1, 'b': 2}"}, []string{`"{""a"":1,""b"":2}"`}},
		{"list as json", "INTEGER[]", []string{"[1, 2]", "[]"}, []string{`"[1,2]"`, "[]"}},
		{"struct as json", "STRUCT(a INTEGER, b VARCHAR)", []string{"{'a': 1, 'b': 'x'}"}, []string{`"{""a"":1,""b"":""x""}"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows := make([]string, len(tc.values))
			for i, v := range tc.values {
				rows[i] = "(" + v + ")"
			}
			db := openDB(t, "CREATE TABLE t (v "+tc.typ+")", "INSERT INTO t VALUES "+strings.Join(rows, ", "))
			stage := t.TempDir()
			files := mustWrite(t, db, stage, Spec{Model: "m", Relation: "t", Format: CSV})
			if len(files) != 1 || files[0].Path != "m.csv" {
				t.Fatalf("files = %v", filePaths(files))
			}
			want := "v\n" + strings.Join(tc.want, "\n") + "\n"
			if got := readText(t, staged(stage, "m.csv")); got != want {
				t.Fatalf("csv:\n%q\nwant:\n%q", got, want)
			}
			if files[0].Rows != int64(len(tc.values)) {
				t.Fatalf("rows = %d, want %d", files[0].Rows, len(tc.values))
			}
		})
	}
}

func TestCSVWholeFile(t *testing.T) {
	db := openDB(t, `CREATE SCHEMA gold`,
		`CREATE TABLE gold.invoice_averages (customer VARCHAR, month DATE, average DECIMAL(18,2), computed_at TIMESTAMPTZ, tags VARCHAR[])`,
		`INSERT INTO gold.invoice_averages VALUES
			('C1000', '2019-12-01', 56333.333, '2020-02-03 15:00:00+00', ['a', 'b']),
			('C2000', '2020-01-01', 55400, '2020-02-03 15:00:00.001+00', NULL),
			('C, "3"', NULL, NULL, NULL, [])`)
	stage := t.TempDir()
	files := mustWrite(t, db, stage, Spec{Model: "invoice_averages", Relation: `"gold"."invoice_averages"`, Format: CSV})
	want := "customer,month,average,computed_at,tags\n" +
		"C1000,2019-12-01,56333.33,2020-02-03T15:00:00+00:00,\"[\"\"a\"\",\"\"b\"\"]\"\n" +
		"C2000,2020-01-01,55400.00,2020-02-03T15:00:00.001+00:00,\n" +
		"\"C, \"\"3\"\"\",,,,[]\n"
	if got := readText(t, staged(stage, "invoice_averages.csv")); got != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", got, want)
	}
	f := files[0]
	if f.Rows != 3 || f.Format != CSV || f.Model != "invoice_averages" || len(f.SHA256) != 64 || f.Bytes != int64(len(want)) {
		t.Fatalf("file = %+v", f)
	}
	if len(f.Columns) != 5 || f.Columns[2].Type != "DECIMAL(18,2)" {
		t.Fatalf("columns = %+v", f.Columns)
	}
}

func TestOrderBySortsTypedValues(t *testing.T) {
	// As text "9.00" > "10.00"; the order must follow the numbers.
	db := openDB(t, `CREATE TABLE t (k VARCHAR, amount DECIMAL(9,2), seen TIMESTAMP)`,
		`INSERT INTO t VALUES ('b', 10, '2020-01-01 00:00:00'), ('a', 9, '2020-01-01 00:00:00'), ('c', 10, '2019-01-01 00:00:00')`)
	cases := []struct {
		name  string
		order []string
		want  string
	}{
		{"table order", nil, "b,a,c"},
		{"ascending, ties by the other columns", []string{"amount"}, "a,b,c"},
		{"descending then tie-break", []string{"amount DESC", "seen asc"}, "c,b,a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stage := t.TempDir()
			mustWrite(t, db, stage, Spec{Model: "m", Relation: "t", Format: CSV, OrderBy: tc.order})
			var keys []string
			for _, line := range strings.Split(strings.TrimSpace(readText(t, staged(stage, "m.csv"))), "\n")[1:] {
				keys = append(keys, strings.SplitN(line, ",", 2)[0])
			}
			if got := strings.Join(keys, ","); got != tc.want {
				t.Fatalf("order = %s, want %s", got, tc.want)
			}
		})
	}
}
