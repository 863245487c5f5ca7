package export

import (
	"context"
	"database/sql"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// msgsTable has each kind of time column, rows on both sides of a minute,
// an hour and a day boundary, and a row with no time at all.
const msgsTable = `CREATE TABLE msgs AS SELECT id, day, sent_at, CAST(sent_at AS TIMESTAMPTZ) AS sent_tz, body FROM (VALUES
	(1, DATE '2020-02-03', TIMESTAMP '2020-02-03 23:59:10', 'a'),
	(2, DATE '2020-02-03', TIMESTAMP '2020-02-03 23:59:59.5', 'b'),
	(3, DATE '2020-02-04', TIMESTAMP '2020-02-04 00:00:00', 'c'),
	(4, NULL, NULL, 'd'),
	(5, DATE '2020-02-04', TIMESTAMP '2020-02-04 00:01:30', 'e')
) v(id, day, sent_at, body)`

func TestSegmentFiles(t *testing.T) {
	cases := []struct {
		name      string
		spec      Spec
		wantPaths []string
		wantRows  []int64
		wantTag   string
	}{
		{
			name: "timestamp by minute",
			spec: Spec{Segment: &Segment{Column: "sent_at", Width: "1 minute"}},
			wantPaths: []string{"m/part-null.csv", "m/part-20200203T235900.csv", "m/part-20200204T000000.csv",
				"m/part-20200204T000100.csv"},
			wantRows: []int64{1, 2, 1, 1},
			wantTag:  "sent_at/00:01:00",
		},
		{
			name: "timestamptz by hour within day partitions",
			spec: Spec{PartitionBy: []string{"day"}, Segment: &Segment{Column: "sent_tz", Width: "60 minutes"}},
			wantPaths: []string{"m/day=__HIVE_DEFAULT_PARTITION__/part-null.csv", "m/day=2020-02-03/part-20200203T230000.csv",
				"m/day=2020-02-04/part-20200204T000000.csv"},
			wantRows: []int64{1, 2, 2},
			wantTag:  "sent_tz/01:00:00",
		},
		{
			name:      "date by day",
			spec:      Spec{Segment: &Segment{Column: "day", Width: "1 day"}},
			wantPaths: []string{"m/part-null.csv", "m/part-20200203T000000.csv", "m/part-20200204T000000.csv"},
			wantRows:  []int64{1, 2, 2},
			wantTag:   "day/1 day",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, msgsTable)
			stage := t.TempDir()
			spec := tc.spec
			spec.Model, spec.Relation, spec.Format, spec.OrderBy = "m", "msgs", CSV, []string{"id DESC"}
			files := mustWrite(t, db, stage, spec)
			if got := filePaths(files); !reflect.DeepEqual(got, tc.wantPaths) {
				t.Fatalf("paths = %q, want %q", got, tc.wantPaths)
			}
			var rows []int64
			for _, f := range files {
				rows = append(rows, f.Rows)
				if f.Segment != tc.wantTag || f.Unit != "m" {
					t.Fatalf("%s: segment %q unit %q, want %q", f.Path, f.Segment, f.Unit, tc.wantTag)
				}
			}
			if !reflect.DeepEqual(rows, tc.wantRows) {
				t.Fatalf("rows = %v, want %v", rows, tc.wantRows)
			}
		})
	}
}

func TestSegmentFileContents(t *testing.T) {
	db := openDB(t, msgsTable)
	stage := t.TempDir()
	mustWrite(t, db, stage, Spec{Model: "m", Relation: "msgs", Format: CSV, PartitionBy: []string{"day"}, OrderBy: []string{"day", "id DESC"},
		Segment: &Segment{Column: "sent_at", Width: "1 day"}})
	// The partition column leaves the file, the segment column stays, and
	// order_by still orders (and tie-breaks) inside each file.
	want := "id,sent_at,sent_tz,body\n" +
		"5,2020-02-04T00:01:30,2020-02-04T00:01:30+00:00,e\n" +
		"3,2020-02-04T00:00:00,2020-02-04T00:00:00+00:00,c\n"
	if got := readText(t, staged(stage, "m/day=2020-02-04/part-20200204T000000.csv")); got != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", got, want)
	}
}

func TestSegmentHiveReadBack(t *testing.T) {
	db := openDB(t, msgsTable)
	stage := t.TempDir()
	mustWrite(t, db, stage, Spec{Model: "m", Relation: "msgs", Format: Parquet, PartitionBy: []string{"day"},
		Segment: &Segment{Column: "sent_at", Width: "1 minute"}})
	var diff int
	q := `SELECT count(*) FROM (
		SELECT id, day, sent_at, sent_tz, body FROM msgs
		EXCEPT ALL
		SELECT id, day, sent_at, sent_tz, body FROM read_parquet('` + stage + `/m/*/*.parquet', hive_partitioning = true, hive_types = {'day': DATE}))`
	if err := db.QueryRowContext(context.Background(), q).Scan(&diff); err != nil || diff != 0 {
		t.Fatalf("hive read-back differs from the table by %d rows (%v)", diff, err)
	}
}

func TestSegmentValidation(t *testing.T) {
	seg := func(col, width string) *Segment { return &Segment{Column: col, Width: width} }
	cases := []struct {
		name string
		spec Spec
		want string
	}{
		{"with split_by", Spec{SplitBy: "body", Segment: seg("sent_at", "1 hour")}, "export m: segment cannot be combined with split_by"},
		{"with pivot", Spec{Pivot: &Pivot{Index: []string{"id"}, Names: "body", Values: "id"}, Segment: seg("sent_at", "1 hour")}, "segment cannot be combined with pivot"},
		{"no width", Spec{Segment: seg("sent_at", " ")}, "segment needs a column and a width"},
		{"partition column", Spec{PartitionBy: []string{"day"}, Segment: seg("day", "1 day")}, `segment column "day" is also a partition column`},
		{"missing column", Spec{Segment: seg("nope", "1 hour")}, `columns "nope" are not in the relation`},
		{"text column", Spec{Segment: seg("body", "1 hour")}, `export m: segment column "body" has type VARCHAR, not DATE, TIMESTAMP or TIMESTAMPTZ`},
		{"not an interval", Spec{Segment: seg("sent_at", "banana")}, `segment width "banana" is not a DuckDB interval`},
		{"zero", Spec{Segment: seg("sent_at", "0 seconds")}, "must be greater than zero"},
		{"negative", Spec{Segment: seg("sent_at", "-1 hour")}, "must be greater than zero"},
		{"fraction of a second", Spec{Segment: seg("sent_at", "1500 milliseconds")}, "whole number of seconds"},
		{"hours of a date", Spec{Segment: seg("day", "6 hours")}, `finer than the days of DATE column "day"`},
		{"months and days", Spec{Segment: seg("sent_at", "1 month 1 day")}, "cannot cut time"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, msgsTable)
			spec := tc.spec
			spec.Model, spec.Relation, spec.Format = "m", "msgs", Parquet
			_, err := Write(context.Background(), db, t.TempDir(), spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSegmentRejectsInfinity(t *testing.T) {
	db := openDB(t, `CREATE TABLE t AS SELECT * FROM (VALUES (1, TIMESTAMP '2020-01-01'), (2, TIMESTAMP 'infinity')) v(id, ts)`)
	_, err := Write(context.Background(), db, t.TempDir(), Spec{Model: "m", Relation: "t", Format: CSV, Segment: &Segment{Column: "ts", Width: "1 day"}})
	if err == nil || !strings.Contains(err.Error(), `segment column "ts" holds infinity`) {
		t.Fatalf("err = %v", err)
	}
}

func TestSegmentPrunesByZoneMaps(t *testing.T) {
	db := openDB(t, `CREATE TABLE ev AS SELECT i, TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND AS ts, i % 3 AS grp FROM range(300000) r(i)`)
	spec := Spec{Model: "m", Relation: "ev", Format: Parquet, PartitionBy: []string{"grp"}, Segment: &Segment{Column: "ts", Width: "1 hour"}}
	spec, err := normalize(spec)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := relationColumns(context.Background(), db, "ev")
	if err != nil {
		t.Fatal(err)
	}
	outs, err := plan(context.Background(), db, spec, cols)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 3*84 {
		t.Fatalf("%d files, want %d", len(outs), 3*84)
	}
	src := outs[10].source
	if strings.Contains(src, "time_bucket") {
		t.Fatalf("per-file query buckets every row: %s", src)
	}
	// The bounds reach the scan itself as filters on the raw column, which
	// is where DuckDB consults row-group min/max.
	var plan string
	if err := db.QueryRowContext(context.Background(), "EXPLAIN (FORMAT json) SELECT * FROM "+src).Scan(new(string), &plan); err != nil {
		t.Fatal(err)
	}
	compact := strings.Join(strings.Fields(plan), "")
	if !strings.Contains(compact, `"name":"SEQ_SCAN"`) || !strings.Contains(compact, `ts>='2020-01-01`) || !strings.Contains(compact, `ts<'2020-01-01`) {
		t.Fatalf("bounds not pushed into the scan:\n%s", plan)
	}
}

func TestSegmentFileCap(t *testing.T) {
	db := openDB(t, msgsTable)
	spec, err := normalize(Spec{Model: "m", Relation: "msgs", Format: CSV, Segment: &Segment{Column: "sent_at", Width: "1 minute"}})
	if err != nil {
		t.Fatal(err)
	}
	cols, err := relationColumns(context.Background(), db, "msgs")
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLayout(context.Background(), db, spec, cols)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		max  int
		want string
	}{
		{4, ""},
		{3, "segment sent_at every 1 minute: more than 3 files; use a wider segment"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			l.maxFiles = tc.max
			keys, err := l.keys(context.Background(), db, "msgs")
			if (tc.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if err == nil && len(keys) != 4 {
				t.Fatalf("%d keys, want 4", len(keys))
			}
		})
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{
		"m/day=2020-02-03/part-20200203T235900.parquet", "m/day=__HIVE_DEFAULT_PARTITION__/part-null.parquet",
		"m/day=a%2Fb/part-20200203T235900.parquet", "m/day=a%2fb/part-null.parquet", "m/day=x/data_0.parquet",
		"m/day=x/../y/part-null.parquet", "m/day=%/part-null.parquet", "m/part-null.parquet", "n/day=x/part-null.parquet",
		"m/day=x/part-20200203T235900_0001.parquet", "m/day=x/part-null_9999.parquet", "m/day=x/part-20200203T235900_0000.parquet",
		"m/day=x/part-20200203T235900_1.parquet", "m/day=x/part-20200203T235900_0001_0002.parquet",
	} {
		f.Add(s)
	}
	l := layout{spec: Spec{Path: "m", Format: Parquet, PartitionBy: []string{"day"}}, seg: &segmentPlan{col: "ts"}}
	f.Fuzz(func(t *testing.T, p string) {
		k, ok := l.parsePath(p)
		if !ok {
			return
		}
		// Whatever is accepted names exactly the file its key would write.
		if got := l.filePath(k); got != p {
			t.Fatalf("parsePath(%q) = %+v, which writes %q", p, k, got)
		}
	})
}

func FuzzHiveEscape(f *testing.F) {
	for _, s := range []string{"a/b c", "ação", "", "100%", "x=y", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := hiveUnescape(hiveEscape(s))
		if !ok || got != s {
			t.Fatalf("hiveUnescape(hiveEscape(%q)) = %q, %v", s, got, ok)
		}
	})
}

// Paths of added files read back, and sort, as their keys do.
func TestAddedFilePaths(t *testing.T) {
	l := layout{spec: Spec{Path: "m", Format: CSV, PartitionBy: []string{"day"}}, seg: &segmentPlan{col: "ts"}}
	cases := []struct {
		path string
		seq  int
		ok   bool
	}{
		{"m/day=x/part-20200203T235900.csv", 0, true},
		{"m/day=x/part-20200203T235900_0001.csv", 1, true},
		{"m/day=x/part-null_0420.csv", 420, true},
		{"m/day=x/part-20200203T235900_0000.csv", 0, false},
		{"m/day=x/part-20200203T235900_12345.csv", 0, false},
		{"m/day=x/part-20200203T235900-0001.csv", 0, false},
	}
	var paths []string
	for _, tc := range cases {
		k, ok := l.parsePath(tc.path)
		if ok != tc.ok || ok && (k.seq != tc.seq || l.filePath(k) != tc.path) {
			t.Errorf("parsePath(%q) = %+v, %v", tc.path, k, ok)
		}
		if ok {
			paths = append(paths, tc.path)
		}
	}
	if flat := (layout{spec: Spec{Path: "m", Format: CSV, PartitionBy: []string{"day"}}}); func() bool { _, ok := flat.parsePath("m/day=x/data_0_0001.csv"); return ok }() {
		t.Error("an export without segments accepted an added file")
	}
	// Byte order is file order: the base, then the added files in turn.
	if !slices.IsSorted(paths) {
		t.Errorf("paths do not sort in file order: %q", paths)
	}
}

func TestCompareKeysMatchesSQLOrder(t *testing.T) {
	null := sql.NullString{}
	val := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	ordered := []fileKey{
		{parts: []sql.NullString{null}, seg: bucket{null: true}},
		{parts: []sql.NullString{null}, seg: bucket{name: "20200101T000000"}},
		{parts: []sql.NullString{val("")}, seg: bucket{name: "20200101T000000"}},
		{parts: []sql.NullString{val("B")}, seg: bucket{null: true}},
		{parts: []sql.NullString{val("a")}, seg: bucket{name: "20191231T235900"}},
		{parts: []sql.NullString{val("a")}, seg: bucket{name: "20200101T000000"}},
		{parts: []sql.NullString{val("a")}, seg: bucket{name: "20200101T000000"}, seq: 1},
		{parts: []sql.NullString{val("a")}, seg: bucket{name: "20200101T000000"}, seq: 12},
		{parts: []sql.NullString{val("a")}, seg: bucket{name: "20200101T003000"}},
	}
	for i := 1; i < len(ordered); i++ {
		if c := compareKeys(ordered[i-1], ordered[i]); c >= 0 {
			t.Errorf("compareKeys(%+v, %+v) = %d, want < 0", ordered[i-1], ordered[i], c)
		}
	}
}
