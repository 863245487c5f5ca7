package export

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"etlrunner/etl/warehouse"
)

const salesTable = `CREATE TABLE sales AS SELECT * FROM (VALUES
	('EU', DATE '2020-01-01', 10.50::DECIMAL(9,2)),
	('US', DATE '2020-01-01', 7.00::DECIMAL(9,2)),
	('EU', DATE '2020-02-01', 3.25::DECIMAL(9,2))
) v(region, month, amount)`

func TestPartitioned(t *testing.T) {
	for _, f := range []Format{Parquet, CSV} {
		t.Run(string(f), func(t *testing.T) {
			db := openDB(t, salesTable)
			stage := t.TempDir()
			files := mustWrite(t, db, stage, Spec{Model: "sales", Relation: "sales", Format: f, PartitionBy: []string{"region"}})
			wantPaths := []string{"sales/region=EU/data_0." + string(f), "sales/region=US/data_0." + string(f)}
			if got := filePaths(files); !reflect.DeepEqual(got, wantPaths) {
				t.Fatalf("paths = %v, want %v", got, wantPaths)
			}
			if files[0].Rows != 2 || files[1].Rows != 1 {
				t.Fatalf("rows = %d, %d", files[0].Rows, files[1].Rows)
			}
			// The partition column lives in the directory name, not the file.
			if got := colNames(files[0].Columns); !reflect.DeepEqual(got, []string{"month", "amount"}) {
				t.Fatalf("columns = %v", got)
			}
			if f == CSV {
				if got := readText(t, staged(stage, wantPaths[0])); got != "month,amount\n2020-01-01,10.50\n2020-02-01,3.25\n" {
					t.Fatalf("csv = %q", got)
				}
			}
		})
	}
}

func TestVerifyCatchesMismatch(t *testing.T) {
	cases := []struct {
		name   string
		spec   Spec
		tamper func(t *testing.T, db execer, stage string)
		want   string
	}{
		{
			name: "csv row lost",
			spec: Spec{Model: "m", Relation: "sales", Format: CSV},
			tamper: func(t *testing.T, _ execer, stage string) {
				text := readText(t, staged(stage, "m.csv"))
				lines := strings.SplitAfter(text, "\n")
				writeText(t, staged(stage, "m.csv"), strings.Join(lines[:len(lines)-2], ""))
			},
			want: "verify m.csv: file has 2 rows, source has 3",
		},
		{
			name: "csv header renamed",
			spec: Spec{Model: "m", Relation: "sales", Format: CSV},
			tamper: func(t *testing.T, _ execer, stage string) {
				text := readText(t, staged(stage, "m.csv"))
				writeText(t, staged(stage, "m.csv"), strings.Replace(text, "month", "mes", 1))
			},
			want: `verify m.csv: column 2 is "mes", expected "month"`,
		},
		{
			name: "csv cut inside its last line",
			spec: Spec{Model: "m", Relation: "sales", Format: CSV},
			tamper: func(t *testing.T, _ execer, stage string) {
				text := readText(t, staged(stage, "m.csv"))
				writeText(t, staged(stage, "m.csv"), text[:len(text)-3])
			},
			want: "verify m.csv: file does not end with a line break",
		},
		{
			name: "csv quote left open",
			spec: Spec{Model: "m", Relation: "sales", Format: CSV},
			tamper: func(t *testing.T, _ execer, stage string) {
				text := readText(t, staged(stage, "m.csv"))
				writeText(t, staged(stage, "m.csv"), strings.Replace(text, "US,", `"US,`, 1))
			},
			want: "verify m.csv: file ends inside a quoted value",
		},
		{
			name: "csv field lost",
			spec: Spec{Model: "m", Relation: "sales", Format: CSV},
			tamper: func(t *testing.T, _ execer, stage string) {
				text := readText(t, staged(stage, "m.csv"))
				writeText(t, staged(stage, "m.csv"), strings.Replace(text, "US,2020-01-01,", "US,", 1))
			},
			want: "verify m.csv: file has 7 field separators outside quotes, 4 records of 3 fields need 8",
		},
		{
			name: "csv line split in two",
			spec: Spec{Model: "m", Relation: "sales", Format: CSV},
			tamper: func(t *testing.T, _ execer, stage string) {
				text := readText(t, staged(stage, "m.csv"))
				writeText(t, staged(stage, "m.csv"), strings.Replace(text, "US,2020-01-01,", "US,2020-01-01,\n", 1))
			},
			want: "verify m.csv: file has 8 field separators outside quotes, 5 records of 3 fields need 10",
		},
		{
			name: "csv emptied",
			spec: Spec{Model: "m", Relation: "sales", Format: CSV},
			tamper: func(t *testing.T, _ execer, stage string) {
				writeText(t, staged(stage, "m.csv"), "")
			},
			want: "verify m.csv: file is empty",
		},
		{
			name: "parquet column type changed",
			spec: Spec{Model: "m", Relation: "sales", Format: Parquet},
			tamper: func(t *testing.T, db execer, stage string) {
				db.exec(t, `COPY (SELECT region, month, CAST(amount AS DOUBLE) AS amount FROM sales) TO '`+staged(stage, "m.parquet")+`' (FORMAT parquet)`)
			},
			want: `verify m.parquet: column "amount" has type double, expected decimal(9,2)`,
		},
		{
			name: "parquet rows missing",
			spec: Spec{Model: "m", Relation: "sales", Format: Parquet},
			tamper: func(t *testing.T, db execer, stage string) {
				db.exec(t, `COPY (SELECT * FROM sales LIMIT 1) TO '`+staged(stage, "m.parquet")+`' (FORMAT parquet)`)
			},
			want: "verify m.parquet: file has 1 rows, source has 3",
		},
		{
			name: "partition file removed",
			spec: Spec{Model: "m", Relation: "sales", Format: Parquet, PartitionBy: []string{"region"}},
			tamper: func(t *testing.T, _ execer, stage string) {
				if err := os.RemoveAll(staged(stage, "m/region=US")); err != nil {
					t.Fatal(err)
				}
			},
			want: "verify m/region=US/data_0.parquet: open ",
		},
		{
			name: "partition file emptied",
			spec: Spec{Model: "m", Relation: "sales", Format: CSV, PartitionBy: []string{"region"}},
			tamper: func(t *testing.T, _ execer, stage string) {
				writeText(t, staged(stage, "m/region=EU/data_0.csv"), "month,amount\n")
			},
			want: "verify m/region=EU/data_0.csv: file has 0 rows, source has 2",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, salesTable)
			stage := t.TempDir()
			mustWrite(t, db, stage, tc.spec)
			if _, err := verify(context.Background(), db, stage, tc.spec); err != nil {
				t.Fatalf("untouched stage fails verification: %v", err)
			}
			tc.tamper(t, execer{db}, stage)
			_, err := verify(context.Background(), db, stage, tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCheckTotal(t *testing.T) {
	db := openDB(t, salesTable)
	spec := Spec{Model: "m", Relation: "sales", Path: "m", PartitionBy: []string{"region"}}
	cases := []struct {
		name string
		rows []int64
		want string
	}{
		{"all rows", []int64{2, 1}, ""},
		{"a row lost", []int64{1, 1}, "files hold 2 rows in total, relation has 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var files []File
			for _, r := range tc.rows {
				files = append(files, File{Rows: r})
			}
			err := checkTotal(context.Background(), db, spec, files)
			if (tc.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestPartitionValuesAndHiveReadBack(t *testing.T) {
	db := openDB(t, `CREATE TABLE ev AS SELECT * FROM (VALUES
		('a/b c', 1, 10), (NULL, 1, 20), ('a/b c', 2, 30), ('ação', 2, 40), ('', 1, 50)
	) v(tag, yr, n)`)
	stage := t.TempDir()
	files := mustWrite(t, db, stage, Spec{Model: "ev", Relation: "ev", Format: Parquet, PartitionBy: []string{"tag", "yr"}, OrderBy: []string{"yr", "n DESC"}})
	want := []string{
		"ev/tag=__HIVE_DEFAULT_PARTITION__/yr=1/data_0.parquet",
		"ev/tag=/yr=1/data_0.parquet",
		"ev/tag=a%2Fb%20c/yr=1/data_0.parquet",
		"ev/tag=a%2Fb%20c/yr=2/data_0.parquet",
		"ev/tag=ação/yr=2/data_0.parquet",
	}
	if got := filePaths(files); !reflect.DeepEqual(got, want) {
		t.Fatalf("paths = %q, want %q", got, want)
	}
	var diff int
	q := `SELECT count(*) FROM (
		SELECT tag, yr, n FROM ev
		EXCEPT ALL
		SELECT tag, yr, n FROM read_parquet('` + stage + `/ev/*/*/*.parquet', hive_partitioning = true, hive_types = {'tag': VARCHAR, 'yr': INTEGER}))`
	if err := db.QueryRowContext(context.Background(), q).Scan(&diff); err != nil || diff != 0 {
		t.Fatalf("hive read-back differs from source by %d rows (%v)", diff, err)
	}
}

// The one-pass CSV check counts records as a CSV reader does, quoted line
// breaks, doubled quotes and values across its read buffer included.
func TestScanCSVCountsRecords(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,\"a \"\"quoted\"\"\nheader\",text\n")
	rows := 0
	for b.Len() < 3<<20 {
		fmt.Fprintf(&b, "%d,\"line one\nline two, \"\"quoted\"\"\",%s\n", rows, strings.Repeat("x", rows%300))
		fmt.Fprintf(&b, "%d,,\"%s\"\n", rows+1, strings.Repeat("\"\"\n,", rows%200))
		rows += 2
	}
	path := filepath.Join(t.TempDir(), "x.csv")
	writeText(t, path, b.String())
	st, err := scanCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if st.records != int64(rows) || len(records) != rows+1 {
		t.Fatalf("scan counts %d records, encoding/csv %d, written %d", st.records, len(records)-1, rows)
	}
	cols := []warehouse.Column{{Name: "id"}, {Name: "a \"quoted\"\nheader"}, {Name: "text"}}
	if err := st.check(cols); err != nil {
		t.Fatal(err)
	}
	if sum, size, _ := hashFile(path); sum != st.sha256 || size != st.bytes {
		t.Fatalf("sha256 %s size %d, want %s %d", st.sha256, st.bytes, sum, size)
	}
}
