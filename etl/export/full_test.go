package export

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// detailTable is an hour of events, 400,000 rows in two 30-minute
// segments, each more than a Parquet row group, so several threads write
// every file.
const detailTable = `CREATE TABLE detail AS
	SELECT CAST(ts AS DATE) AS day, 'C' || lpad(CAST(hash(i) % 500 AS VARCHAR), 4, '0') AS customer_id,
		md5(CAST(i AS VARCHAR)) AS message_id, CASE WHEN i % 3 = 0 THEN 'sms' ELSE 'whatsapp' END AS channel,
		'{"to":"55' || CAST(i * 7919 % 100000 AS VARCHAR) || '"}' AS payload, ts AS event_datetime
	FROM (SELECT i, TIMESTAMP '2020-02-04 00:00:00' + to_microseconds(i * 9000) AS ts FROM range(400000) r(i))
	ORDER BY message_id`

func detailSpecs(width string) []Spec {
	seg := &Segment{Column: "event_datetime", Width: width}
	order := []string{"customer_id", "event_datetime", "message_id"}
	return []Spec{
		{Model: "detail", Relation: "detail", Format: Parquet, Path: "detail/parquet", PartitionBy: []string{"day"}, Segment: seg, OrderBy: order},
		{Model: "detail", Relation: "detail", Format: CSV, Path: "detail/csv", PartitionBy: []string{"day"}, Segment: seg, OrderBy: order},
	}
}

// A full write gives the same bytes every time, and the CSV files rendered
// from their Parquet twins are those a CSV export on its own writes.
func TestFullWriteIsDeterministic(t *testing.T) {
	db := openDB(t, detailTable)
	specs := detailSpecs("30 minutes")
	first, err := WriteAll(context.Background(), db, t.TempDir(), specs)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 4 || first[0].Rows != 200000 {
		t.Fatalf("files: %+v", first)
	}
	for i := range 2 {
		again, err := WriteAll(context.Background(), db, t.TempDir(), specs)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again, first) {
			t.Fatalf("rerun %d differs:\n%+v\n%+v", i+1, again, first)
		}
	}
	alone := mustWrite(t, db, t.TempDir(), specs[1])
	if !reflect.DeepEqual(alone, first[2:]) {
		t.Fatalf("csv written alone:\n%+v\nrendered from parquet:\n%+v", alone, first[2:])
	}
}

// With 30-minute segments a day is at most 48 files per format.
func TestThirtyMinuteSegmentsPerDay(t *testing.T) {
	db := openDB(t, `CREATE TABLE detail AS SELECT CAST(ts AS DATE) AS day, 'C' || (i % 7) AS customer_id, CAST(i AS VARCHAR) AS message_id,
		'sms' AS channel, '{}' AS payload, ts AS event_datetime
		FROM (SELECT i, TIMESTAMP '2020-02-03 23:57:00' + to_seconds(i * 20) AS ts FROM range(4500) r(i))`)
	files, err := WriteAll(context.Background(), db, t.TempDir(), detailSpecs("30 minutes"))
	if err != nil {
		t.Fatal(err)
	}
	perDay := map[string]int{}
	for _, f := range files {
		perDay[strings.TrimPrefix(filepath.Dir(f.Path), "detail/")]++
	}
	want := map[string]int{"parquet/day=2020-02-03": 1, "csv/day=2020-02-03": 1, "parquet/day=2020-02-04": 48, "csv/day=2020-02-04": 48,
		"parquet/day=2020-02-05": 2, "csv/day=2020-02-05": 2}
	if !reflect.DeepEqual(perDay, want) {
		t.Fatalf("files per day: %v, want %v", perDay, want)
	}
}

func TestMirrorSources(t *testing.T) {
	specs := detailSpecs("30 minutes")
	other := specs[1]
	other.OrderBy = []string{"message_id"}
	flat := Spec{Model: "detail", Relation: "detail", Format: CSV}
	inside := specs[1]
	inside.Path = "detail/parquet/csv"
	got := mirrorSources([]Spec{specs[1], other, specs[0], flat, inside})
	if want := map[int]int{0: 2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("mirrorSources = %v, want %v", got, want)
	}
}

// A CSV export whose Parquet twin does not read back with the relation's
// types is written from the relation, with the same result.
func TestMirrorNeedsTypesThatReadBack(t *testing.T) {
	db := openDB(t, msgsTable, `CREATE TABLE wide AS SELECT *, CAST(id AS HUGEINT) * 100000000000000000 AS big FROM msgs`)
	if readsBack(t, db, "msgs") != true || readsBack(t, db, "wide") != false {
		t.Fatal("readsBackAs misjudges the types")
	}
	specs := []Spec{
		{Model: "w", Relation: "wide", Format: Parquet, Path: "w/parquet", Segment: &Segment{Column: "sent_at", Width: "1 day"}},
		{Model: "w", Relation: "wide", Format: CSV, Path: "w/csv", Segment: &Segment{Column: "sent_at", Width: "1 day"}},
	}
	stage := t.TempDir()
	files, err := WriteAll(context.Background(), db, stage, specs)
	if err != nil {
		t.Fatal(err)
	}
	alone := t.TempDir()
	want := mustWrite(t, db, alone, specs[1])
	if !reflect.DeepEqual(files[len(files)-len(want):], want) {
		t.Fatalf("csv files differ from a write on its own")
	}
	if text := readText(t, staged(stage, "w/csv/part-20200204T000000.csv")); !strings.Contains(text, ",300000000000000000\n") {
		t.Fatalf("csv:\n%s", text)
	}
}

func readsBack(t *testing.T, sdb *sql.DB, relation string) bool {
	t.Helper()
	cols, err := relationColumns(context.Background(), sdb, relation)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.parquet")
	execAll(t, sdb, "COPY "+relation+" TO '"+path+"' (FORMAT parquet)")
	return readsBackAs(context.Background(), sdb, path, cols)
}

// A file rewritten without some rows keeps the others in order: after a
// run that only deletes, each export is what a full write gives, byte for
// byte, though only the files that held the rows were written.
func TestRewriteKeepsOrder(t *testing.T) {
	db := openDB(t, detailTable)
	specs := detailSpecs("30 minutes")
	for i := range specs {
		specs[i].CompactAfter = DefaultCompactAfter
	}
	e := newExporter(t, db, specs...)
	e.run()
	execAll(t, db, `CREATE TABLE changes AS SELECT * FROM detail WHERE hash(message_id) % 1000 = 7`,
		`DELETE FROM detail WHERE hash(message_id) % 1000 = 7`)
	e.run()
	for _, s := range specs {
		if got, want := e.written(s), ext(s, "day=2020-02-04/part-20200204T000000", "day=2020-02-04/part-20200204T003000"); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: wrote %q, want %q", s.Path, got, want)
		}
	}
	e.assertLikeFullBytes()
}
