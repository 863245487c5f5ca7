package serve

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"etlrunner/etl/export"
	"etlrunner/etl/warehouse"
)

// The fixture's tables: sales is one Parquet file (and a CSV), events is
// partitioned by day with each file in descending id order, so the files'
// order (5, 4, 2, 1) differs from any sort of the rows.
const fixtureSQL = `
CREATE TABLE sales AS SELECT * FROM (VALUES
  (1, 'north', 10.50::DECIMAL(18,2), DATE '2020-02-03', TIMESTAMP '2020-02-03 10:00:00', 1.5::DOUBLE, ['a', 'b'], 'plain'),
  (2, 'south', 20.00, DATE '2020-02-03', TIMESTAMP '2020-02-03 11:30:00.25', 'nan'::DOUBLE, [], NULL),
  (3, 'north', 30.00, DATE '2020-02-04', TIMESTAMP '2020-02-04 09:00:00', 2.0, ['c'], 'it''s'),
  (4, 'north', 40.00, DATE '2020-02-04', TIMESTAMP '2020-02-04 10:00:00', NULL, NULL, ''' OR ''1''=''1'),
  (5, 'east',  50.00, DATE '2020-02-05', NULL, 3.0, ['d'], 'x'),
  (6, 'north', 60.00, DATE '2020-02-05', TIMESTAMP '2020-02-05 10:00:00', 4.0, ['e'], 'x'),
  (7, 'west',  70.00, DATE '2020-02-06', TIMESTAMP '2020-02-06 10:00:00', 5.0, ['f'], 'x'),
  (8, 'north', 80.00, DATE '2020-02-06', TIMESTAMP '2020-02-06 10:00:00', 6.0, ['g'], 'x'),
  (9, 'south', 90.00, DATE '2020-02-07', TIMESTAMP '2020-02-07 10:00:00', 7.0, ['h'], 'x'),
  (10, 'north', 100.00, DATE '2020-02-07', TIMESTAMP '2020-02-07 10:00:00', 8.0, ['i'], 'x')
) AS t(id, region, amount, day, sold_at, score, tags, note);
CREATE TABLE events AS SELECT * FROM (VALUES
  (1, 'open', DATE '2020-02-04'), (2, 'close', DATE '2020-02-04'),
  (4, 'open', DATE '2020-02-03'), (5, 'close', DATE '2020-02-03')
) AS t(id, kind, day);
CREATE TABLE nothing AS SELECT 1 AS id, 'a' AS label WHERE false;`

var fixtureModels = []ModelDoc{
	{Name: "sales", Description: "One row per sale."},
	{Name: "events", Description: "Events by day."},
	{Name: "nothing", Description: "Published empty."},
	{Name: "unpublished", Description: "Never exported."},
}

// writeOutputs exports the fixture's tables into a new output folder the
// way a build does (stage, publish, manifest) and returns the folder.
func writeOutputs(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	db := openFixtureDB(t)
	stage := filepath.Join(dir, ".staging-test")
	var files []export.File
	for _, spec := range []export.Spec{
		{Model: "sales", Relation: "sales", Format: export.Parquet, OrderBy: []string{"id"}},
		{Model: "sales", Relation: "sales", Format: export.CSV, OrderBy: []string{"id"}},
		{Model: "events", Relation: "events", Format: export.Parquet, PartitionBy: []string{"day"}, OrderBy: []string{"id DESC"}},
		{Model: "nothing", Relation: "nothing", Format: export.Parquet, PartitionBy: []string{"label"}},
		{Model: "silver_only", Relation: "sales", Format: export.Parquet},
	} {
		f, err := export.Write(ctx, db, stage, spec)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f...)
	}
	if err := export.Publish(stage, dir, files); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(stage)
	if err := export.WriteManifest(dir, export.Manifest{RunID: "run-1", GeneratedAt: time.Now(), Files: files}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// openFixtureDB is an in-memory database holding the fixture's tables.
func openFixtureDB(t *testing.T) *sql.DB {
	t.Helper()
	w, err := warehouse.Open(context.Background(), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if _, err := w.DB.Exec(fixtureSQL); err != nil {
		t.Fatal(err)
	}
	return w.DB
}
