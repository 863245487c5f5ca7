package export

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"etlrunner/etl/warehouse"
)

// A change log as the materializer keeps one (materialize/incremental.go):
// each run appends the old version of every row it deletes and every row
// it inserts; publishing empties it. An extra column, as a log may have.
const changeLog = `CREATE TABLE IF NOT EXISTS changes AS SELECT *, CAST(NULL AS VARCHAR) AS op FROM notif LIMIT 0`

// runModel applies one incremental run to notif and logs it: the rows
// matching del are logged and deleted, then the rows of the query ins are
// inserted and logged. Either may be empty.
func runModel(t *testing.T, db *sql.DB, del, ins string) {
	t.Helper()
	execAll(t, db, changeLog)
	if del != "" {
		execAll(t, db, `INSERT INTO changes BY NAME SELECT *, 'deleted' AS op FROM notif WHERE `+del, `DELETE FROM notif WHERE `+del)
	}
	if ins != "" {
		execAll(t, db, `CREATE OR REPLACE TEMP TABLE new_rows AS `+ins,
			`INSERT INTO notif BY NAME SELECT * FROM new_rows`,
			`INSERT INTO changes BY NAME SELECT *, 'inserted' AS op FROM new_rows`)
	}
}

// row is one notif row as a query.
func row(id int, ts, body string) string {
	return fmt.Sprintf(`SELECT %d AS id, CAST(TIMESTAMP '%s' AS DATE) AS day, TIMESTAMP '%s' AS sent_at, 'ch9' AS channel, '%s' AS body`, id, ts, ts, body)
}

// segSpecs are the exports these tests run: one segmented Parquet and one
// segmented CSV export cut alike (so the CSV is rendered from the Parquet).
func segSpecs(compactAfter int) []Spec {
	seg := &Segment{Column: "sent_at", Width: "6 hours"}
	return []Spec{
		{Model: "notif", Relation: "notif", Format: Parquet, Path: "notif/parquet", PartitionBy: []string{"day"}, Segment: seg, OrderBy: []string{"id"}, CompactAfter: compactAfter},
		{Model: "notif", Relation: "notif", Format: CSV, Path: "notif/csv", PartitionBy: []string{"day"}, Segment: seg, OrderBy: []string{"id"}, CompactAfter: compactAfter},
	}
}

// exporter publishes exports run after run into one output dir, as the
// runner does: a full write first, then writes from the change log.
type exporter struct {
	t      *testing.T
	db     *sql.DB
	out    string
	specs  []Spec
	runs   int
	files  []File                 // the last run's files
	before map[string]os.FileInfo // the published files before the last run
}

func newExporter(t *testing.T, db *sql.DB, specs ...Spec) *exporter {
	countingFailed = func(err error) { t.Errorf("counting changed rows failed: %v", err) }
	t.Cleanup(func() { countingFailed = func(error) {} })
	return &exporter{t: t, db: db, out: t.TempDir(), specs: specs}
}

// run writes (incrementally after the first run), publishes, writes the
// manifest and empties the change log.
func (e *exporter) run() []File {
	e.t.Helper()
	specs := slices.Clone(e.specs)
	e.before = map[string]os.FileInfo{}
	if e.runs > 0 {
		prev := published(e.t, e.out)
		for _, f := range prev {
			st, err := os.Stat(filepath.Join(e.out, filepath.FromSlash(f.Path)))
			if err != nil {
				e.t.Fatal(err)
			}
			e.before[f.Path] = st
		}
		for i := range specs {
			specs[i].Changes, specs[i].OutputDir = "changes", e.out
			specs[i].Previous = slices.DeleteFunc(slices.Clone(prev), func(f File) bool {
				return f.Format != specs[i].Format || !strings.HasPrefix(f.Path, specs[i].Path+"/")
			})
		}
	}
	stage := e.t.TempDir()
	files, err := WriteAll(context.Background(), e.db, stage, specs)
	if err != nil {
		e.t.Fatalf("run %d: %v", e.runs, err)
	}
	if err := Publish(stage, e.out, files); err != nil {
		e.t.Fatal(err)
	}
	if err := WriteManifest(e.out, Manifest{RunID: fmt.Sprint(e.runs), Files: files}); err != nil {
		e.t.Fatal(err)
	}
	execAll(e.t, e.db, `DROP TABLE IF EXISTS changes`)
	e.runs++
	e.files = files
	return files
}

// paths lists the published files of one export, relative to its folder.
func (e *exporter) paths(spec Spec) []string {
	var out []string
	for _, f := range e.files {
		if rel, ok := strings.CutPrefix(f.Path, spec.Path+"/"); ok {
			out = append(out, rel)
		}
	}
	return out
}

// written lists the files of one export the last run wrote rather than
// carried over (the carried ones are the very files published before),
// relative to the export's folder.
func (e *exporter) written(spec Spec) []string {
	e.t.Helper()
	var out []string
	for _, rel := range e.paths(spec) {
		p := spec.Path + "/" + rel
		st, err := os.Stat(filepath.Join(e.out, filepath.FromSlash(p)))
		if err != nil {
			e.t.Fatal(err)
		}
		if old, ok := e.before[p]; !ok || !os.SameFile(old, st) {
			out = append(out, rel)
		}
	}
	return out
}

// assertLikeFullBytes checks that every export of e holds exactly the files
// a full write gives, byte for byte.
func (e *exporter) assertLikeFullBytes() {
	e.t.Helper()
	full := e.t.TempDir()
	want, err := WriteAll(context.Background(), e.db, full, e.specs)
	if err != nil {
		e.t.Fatal(err)
	}
	if !reflect.DeepEqual(filePaths(e.files), filePaths(want)) {
		e.t.Fatalf("published %q, a full write %q", filePaths(e.files), filePaths(want))
	}
	for i, f := range want {
		if e.files[i].SHA256 != f.SHA256 || readText(e.t, filepath.Join(e.out, f.Path)) != readText(e.t, filepath.Join(full, f.Path)) {
			e.t.Fatalf("%s differs from a full write", f.Path)
		}
	}
}

// assertLikeFullRows checks every export of e against a full write of the
// relation as it is now: per partition folder, the same multiset of rows,
// read back with DuckDB.
func (e *exporter) assertLikeFullRows() {
	e.t.Helper()
	full := e.t.TempDir()
	if _, err := WriteAll(context.Background(), e.db, full, e.specs); err != nil {
		e.t.Fatal(err)
	}
	for _, s := range e.specs {
		got, want := readRows(e.t, e.db, e.out, s), readRows(e.t, e.db, full, s)
		if got == 0 || got != want {
			e.t.Fatalf("%s: %d rows published, a full write has %d", s.Path, got, want)
		}
		var diff int
		q := fmt.Sprintf(`SELECT count(*) FROM ((%[1]s EXCEPT ALL %[2]s) UNION ALL (%[2]s EXCEPT ALL %[1]s))`, rowsQuery(e.out, s), rowsQuery(full, s))
		if err := e.db.QueryRowContext(context.Background(), q).Scan(&diff); err != nil || diff != 0 {
			e.t.Fatalf("%s: %d rows differ from a full write (%v)", s.Path, diff, err)
		}
	}
}

// rowsQuery reads back every file of spec under dir with the folder it
// lies in (its partition), CSV as text.
func rowsQuery(dir string, s Spec) string {
	glob := warehouse.QuoteString(filepath.Join(dir, filepath.FromSlash(s.Path), "**", "*."+string(s.Format)))
	src := "read_parquet(" + glob + ", filename = true, hive_partitioning = false)"
	if s.Format == CSV {
		src = "read_csv(" + glob + `, all_varchar = true, header = true, delim = ',', quote = '"', escape = '"', filename = true, hive_partitioning = false)`
	}
	return fmt.Sprintf(`SELECT regexp_replace(substr(filename, %d), '/[^/]*$', '') AS folder, * EXCLUDE (filename) FROM %s`, len(dir)+2, src)
}

func readRows(t *testing.T, db *sql.DB, dir string, s Spec) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM ("+rowsQuery(dir, s)+")").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// cellFiles lists the published files of one cell of spec.
func (e *exporter) cellFiles(spec Spec, cell string) []string {
	var out []string
	for _, p := range e.paths(spec) {
		if strings.HasPrefix(p, cell) {
			out = append(out, p)
		}
	}
	return out
}

// wantWritten fails the test unless the last run wrote exactly names
// (without their extension) in every export.
func (e *exporter) wantWritten(names ...string) {
	e.t.Helper()
	for _, s := range e.specs {
		if got, want := e.written(s), ext(s, names...); !reflect.DeepEqual(got, want) {
			e.t.Fatalf("%s: wrote %q, want %q", s.Path, got, want)
		}
	}
}

// wantCell fails the test unless one cell holds exactly names in every
// export.
func (e *exporter) wantCell(cell string, names ...string) {
	e.t.Helper()
	for _, s := range e.specs {
		if got, want := e.cellFiles(s, cell), ext(s, names...); !reflect.DeepEqual(got, want) {
			e.t.Fatalf("%s: cell holds %q, want %q", s.Path, got, want)
		}
	}
}

// rowsOf is the row count the last run listed for a published file.
func (e *exporter) rowsOf(path string) int64 {
	for _, f := range e.files {
		if f.Path == path {
			return f.Rows
		}
	}
	return -1
}

func ext(s Spec, names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n + "." + string(s.Format)
	}
	return out
}

// Rows that only add to a segment go into a new numbered file of it; the
// other files stay as they were (hard links of the published ones).
func TestIncrementalAddsFiles(t *testing.T) {
	for name, specs := range map[string][]Spec{"parquet and its csv twin": segSpecs(30), "csv alone": segSpecs(30)[1:]} {
		t.Run(name, func(t *testing.T) {
			db := openDB(t, notifTable)
			e := newExporter(t, db, specs...)
			e.run()
			runModel(t, db, "", row(1001, "2020-02-02 07:00:00", "one")+" UNION ALL "+row(1002, "2020-02-02 07:30:00", "two")+
				" UNION ALL "+row(1003, "2020-03-01 13:00:00", "a new day"))
			e.run()
			e.wantWritten("day=2020-02-02/part-20200202T060000_0001", "day=2020-03-01/part-20200301T120000")
			e.assertLikeFullRows()

			runModel(t, db, "", row(1004, "2020-02-02 11:59:59", "three"))
			e.run()
			e.wantWritten("day=2020-02-02/part-20200202T060000_0002")
			e.wantCell("day=2020-02-02/part-20200202T06",
				"day=2020-02-02/part-20200202T060000", "day=2020-02-02/part-20200202T060000_0001", "day=2020-02-02/part-20200202T060000_0002")
			e.assertLikeFullRows()
		})
	}
}

// A run that replaces a row rewrites the file that held it: an added file
// without the row, a base file by writing the segment again from the
// relation; the new version goes to a new file either way.
func TestIncrementalRewritesFileOfReplacedRow(t *testing.T) {
	specs := segSpecs(30)
	db := openDB(t, notifTable)
	e := newExporter(t, db, specs...)
	e.run()
	runModel(t, db, "", row(1001, "2020-02-02 07:00:00", "one")+" UNION ALL "+row(1002, "2020-02-02 07:30:00", "two"))
	e.run()

	runModel(t, db, "id = 1001", row(1001, "2020-02-02 07:00:00", "one, again"))
	e.run()
	e.wantWritten("day=2020-02-02/part-20200202T060000_0001", "day=2020-02-02/part-20200202T060000_0002")
	if n := e.rowsOf("notif/parquet/day=2020-02-02/part-20200202T060000_0001.parquet"); n != 1 {
		t.Fatalf("the added file holds %d rows after losing one of two", n)
	}
	e.assertLikeFullRows()

	// Row 27 (2020-02-01 16:39) lives in a base file: the base is written
	// again without it, what was added stays, the new version is added.
	runModel(t, db, "", row(1003, "2020-02-01 17:00:00", "added"))
	e.run()
	runModel(t, db, "id = 27", row(27, "2020-02-01 16:39:00", "replaced"))
	e.run()
	e.wantWritten("day=2020-02-01/part-20200201T120000", "day=2020-02-01/part-20200201T120000_0002")
	e.wantCell("day=2020-02-01/part-20200201T12",
		"day=2020-02-01/part-20200201T120000", "day=2020-02-01/part-20200201T120000_0001", "day=2020-02-01/part-20200201T120000_0002")
	if n := e.rowsOf("notif/csv/day=2020-02-01/part-20200201T120000_0002.csv"); n != 1 {
		t.Fatalf("the new file holds %d rows, want the one replaced", n)
	}
	e.assertLikeFullRows()

	// The next run replaces the row again: now only the small file that
	// held it is touched (emptied, it goes) and the base stays.
	runModel(t, db, "id = 27", row(27, "2020-02-01 16:39:00", "replaced again"))
	e.run()
	e.wantWritten("day=2020-02-01/part-20200201T120000_0003")
	e.wantCell("day=2020-02-01/part-20200201T12",
		"day=2020-02-01/part-20200201T120000", "day=2020-02-01/part-20200201T120000_0001", "day=2020-02-01/part-20200201T120000_0003")
	e.assertLikeFullRows()
}

// A row replaced by an identical one (a redelivery) changes nothing: a
// Parquet export and its CSV twin write no file. A CSV export alone
// cannot tell it from a lost row and compacts the segment.
func TestIncrementalIdenticalReplacementWritesNothing(t *testing.T) {
	cases := []struct {
		name  string
		specs []Spec
		want  []string
	}{
		{"parquet and its csv twin", segSpecs(30), nil},
		{"csv alone", segSpecs(30)[1:], []string{"day=2020-02-01/part-20200201T120000.csv"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, notifTable)
			e := newExporter(t, db, tc.specs...)
			e.run()
			execAll(t, db, `CREATE TEMP TABLE same AS SELECT * FROM notif WHERE id IN (27, 28)`)
			runModel(t, db, "id IN (27, 28)", "SELECT * FROM same")
			e.run()
			for _, s := range tc.specs {
				if got := e.written(s); !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("%s: wrote %q, want %q", s.Path, got, tc.want)
				}
			}
			e.assertLikeFullBytes()
		})
	}
}

// A segment that would hold more than compact_after added files is
// written as one file again.
func TestCompaction(t *testing.T) {
	specs := segSpecs(2)
	db := openDB(t, notifTable)
	e := newExporter(t, db, specs...)
	e.run()
	cell := []string{"day=2020-02-02/part-20200202T060000", "day=2020-02-02/part-20200202T060000_0001", "day=2020-02-02/part-20200202T060000_0002"}
	for i, want := range [][]string{cell[:2], cell[:3], cell[:1]} {
		runModel(t, db, "", row(1001+i, fmt.Sprintf("2020-02-02 0%d:00:00", 7+i), "added"))
		e.run()
		for _, s := range specs {
			if got := e.cellFiles(s, "day=2020-02-02/part-20200202T06"); !reflect.DeepEqual(got, ext(s, want...)) {
				t.Fatalf("run %d, %s: cell holds %q, want %q", i+1, s.Path, got, ext(s, want...))
			}
		}
	}
	// Compacted, the export is what a full write gives, byte for byte.
	e.assertLikeFullBytes()
}

// Whatever the runs did, and however many of them the log spans, the
// published rows are the relation's.
func TestIncrementalRowsMatchFull(t *testing.T) {
	unpartitioned := Spec{Model: "notif", Relation: "notif", Format: Parquet, Path: "flat", Segment: &Segment{Column: "sent_at", Width: "1 day"}, CompactAfter: 30}
	sets := map[string][]Spec{
		"parquet and its csv twin": segSpecs(30),
		"csv alone":                segSpecs(30)[1:],
		"unpartitioned":            {unpartitioned},
	}
	for name, specs := range sets {
		t.Run(name, func(t *testing.T) {
			db := openDB(t, notifTable, `INSERT INTO notif SELECT * FROM notif WHERE id IN (30, 31)`)
			e := newExporter(t, db, specs...)
			e.run()
			runs := []struct{ del, ins string }{
				{"", row(1001, "2020-02-02 07:00:00", "into an existing segment") + " UNION ALL " + row(1002, "2020-03-01 12:00:00", "into a new partition")},
				{"id = 5", ""},
				{"id = 20", "SELECT 20 AS id, DATE '2020-02-03' AS day, TIMESTAMP '2020-02-03 14:20:00' AS sent_at, 'ch2' AS channel, 'moved' AS body"},
				{"sent_at >= TIMESTAMP '2020-02-03 06:00' AND sent_at < TIMESTAMP '2020-02-03 12:00'", ""},
				{"day = DATE '2020-02-05'", ""},
				{"id = 900", "SELECT 900 AS id, NULL::DATE AS day, NULL::TIMESTAMP AS sent_at, 'ch0' AS channel, 'still no time' AS body"},
				// Two copies published, both deleted, one put back.
				{"id = 30", "SELECT * FROM before_runs WHERE id = 30 LIMIT 1"},
				// One copy published, another of the same row added.
				{"", "SELECT * FROM before_runs WHERE id = 32"},
				{"", row(1003, "2020-02-02 07:10:00", "added") + " UNION ALL " + row(1003, "2020-02-02 07:10:00", "added")},
			}
			execAll(t, db, `CREATE TABLE before_runs AS SELECT * FROM notif`)
			for i, r := range runs {
				runModel(t, db, r.del, r.ins)
				e.run()
				e.assertLikeFullRows()
				if t.Failed() {
					t.Fatalf("after run %d", i)
				}
			}
			// Several runs in one log, published once: a row added, then
			// replaced, then deleted; another replaced twice.
			runModel(t, db, "", row(1004, "2020-02-02 08:00:00", "first"))
			runModel(t, db, "id = 1004", row(1004, "2020-02-02 08:00:00", "second"))
			runModel(t, db, "id IN (1004, 1001)", row(1001, "2020-02-02 07:00:00", "into an existing segment"))
			runModel(t, db, "id = 1001", row(1001, "2020-02-02 07:00:00", "into an existing segment"))
			runModel(t, db, "id = 31", "SELECT * FROM before_runs WHERE id = 31")
			e.run()
			e.assertLikeFullRows()
		})
	}
}

// Counting compares whole rows, of every type a model may hold.
func TestIncrementalTypedRows(t *testing.T) {
	db := openDB(t, `CREATE TABLE notif AS SELECT i AS id, DATE '2020-02-01' + CAST(i // 10 AS INTEGER) AS day,
		TIMESTAMP '2020-02-01' + to_minutes(i * 150) AS sent_at, CAST(i AS DECIMAL(12,2)) / 7 AS amount,
		CAST(TIMESTAMP '2020-02-01' + to_minutes(i) AS TIMESTAMPTZ) AS at_tz, CASE WHEN i % 4 = 0 THEN NULL ELSE 'x' || i END AS note,
		MAP {'k': i} AS attrs, [i, NULL] AS list, {'a': i, 'b': 'y'} AS rec, i % 2 = 0 AS flag, i / 3.0 AS ratio
		FROM range(100) r(i)`)
	specs := segSpecs(30)
	e := newExporter(t, db, specs...)
	e.run()
	execAll(t, db, `CREATE TEMP TABLE same AS SELECT * FROM notif WHERE id IN (3, 4, 5)`)
	runModel(t, db, "id IN (3, 4, 5, 6)", `SELECT * FROM same UNION ALL SELECT * REPLACE (note || '!' AS note) FROM notif WHERE id = 7`)
	e.run()
	e.assertLikeFullRows()
	// 3, 4 and 5 came back as they were; 6 went and 7 changed, both from
	// the base file of 12:00, which is written again without them; 7's
	// new version is added.
	e.wantWritten("day=2020-02-01/part-20200201T120000", "day=2020-02-01/part-20200201T120000_0001")
}
