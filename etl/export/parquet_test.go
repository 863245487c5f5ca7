package export

import (
	"context"
	"os"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

func TestParquetKeepsTypes(t *testing.T) {
	db := openDB(t, `CREATE SCHEMA gold`,
		`CREATE TABLE gold.facts (
			amount DECIMAL(18,2), seen TIMESTAMP, seen_tz TIMESTAMPTZ, day DATE, ok BOOLEAN,
			attrs MAP(VARCHAR, INTEGER), tags VARCHAR[], info STRUCT(a INTEGER, b VARCHAR),
			name VARCHAR, n INTEGER, big BIGINT, ratio DOUBLE)`,
		`INSERT INTO gold.facts VALUES
			(56333.33, '2019-12-16 13:59:58', '2020-02-03 15:00:00+00', '2019-12-01', true, MAP {'a': 1}, ['x'], {'a': 1, 'b': 'y'}, 'n1', 1, 2, 0.5),
			(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`)
	stage := t.TempDir()
	files := mustWrite(t, db, stage, Spec{Model: "facts", Relation: `"gold"."facts"`, Format: Parquet})
	if len(files) != 1 || files[0].Path != "facts.parquet" || files[0].Rows != 2 {
		t.Fatalf("files = %+v", files)
	}
	fh, err := os.Open(staged(stage, "facts.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st, _ := fh.Stat()
	pf, err := parquet.OpenFile(fh, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"amount": "decimal(18,2)", "seen": "timestamp", "seen_tz": "timestamptz", "day": "date", "ok": "boolean",
		"attrs": "map", "tags": "list", "info": "struct", "name": "string", "n": "int32", "big": "int64", "ratio": "double",
	}
	for _, c := range pf.Root().Columns() {
		t.Run(c.Name(), func(t *testing.T) {
			if got := parquetKind(c); got != want[c.Name()] {
				t.Fatalf("type = %s, want %s", got, want[c.Name()])
			}
		})
	}
	if got := pf.Metadata().RowGroups[0].Columns[0].MetaData.Codec; got != format.Zstd {
		t.Fatalf("compression = %v, want zstd", got)
	}
	// The values survive the round trip, not just the types.
	var diff int
	q := `SELECT count(*) FROM (SELECT * FROM gold.facts EXCEPT ALL SELECT * FROM read_parquet('` + staged(stage, "facts.parquet") + `'))`
	if err := db.QueryRowContext(context.Background(), q).Scan(&diff); err != nil || diff != 0 {
		t.Fatalf("rows differing from source: %d (%v)", diff, err)
	}
}

func TestDuckDBKind(t *testing.T) {
	cases := map[string]string{
		"DECIMAL(18,2)": "decimal(18,2)", "INTEGER": "int32", "BIGINT": "int64", "VARCHAR": "string",
		"TIMESTAMP": "timestamp", "TIMESTAMP_NS": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz",
		"MAP(VARCHAR, INTEGER)": "map", "MAP(VARCHAR, INTEGER)[]": "list", "INTEGER[3]": "list",
		"STRUCT(a INTEGER[])": "struct", "ENUM('a', 'b')": "string", "BIT": "",
	}
	for typ, want := range cases {
		t.Run(typ, func(t *testing.T) {
			if got := duckdbKind(typ); got != want {
				t.Fatalf("duckdbKind(%q) = %q, want %q", typ, got, want)
			}
		})
	}
}
