package materialize

import (
	"context"
	"testing"

	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

// An incremental run leaves the rows it added in the batch table, and a
// model with a change log records both the rows it inserted and the ones
// they replaced; a full build forgets the log.
func TestBatchAndChangeLog(t *testing.T) {
	conn := newConn(t)
	ctx := context.Background()
	exec(t, conn, `CREATE TABLE raw.batch AS SELECT * FROM (VALUES (1, 'a', 1), (2, 'b', 1)) t(id, v, seq)`)
	c := incrementalConfig(project.DeleteInsert, "id")
	b := &batches{}
	if res := runIncremental(t, conn, c, false, b); res.Batch {
		t.Errorf("a full build reported a batch: %+v", res)
	}
	batch, log := BatchRelation(target).String(), ChangesRelation(target).String()
	if kind(t, conn, ChangesRelation(target)) != "" {
		t.Fatal("a change log exists before anything started it")
	}
	t.Run("without a log, only the batch", func(t *testing.T) {
		exec(t, conn, "INSERT INTO raw.batch VALUES (3, 'c', 2)")
		if res := runIncremental(t, conn, c, false, b); !res.Batch || res.Rows != 1 {
			t.Errorf("result %+v", res)
		}
		equal(t, "batch", rows(t, conn, "SELECT id, v FROM "+batch), []string{"3|c"})
		equal(t, "batch catalog", rows(t, conn, "SELECT database_name FROM duckdb_tables() WHERE table_name = '"+BatchRelation(target).Name+"'"),
			[]string{warehouse.Scratch})
		if kind(t, conn, ChangesRelation(target)) != "" {
			t.Error("an incremental run created the change log")
		}
	})
	t.Run("a started log records inserted and replaced rows", func(t *testing.T) {
		if err := StartChanges(ctx, conn, target); err != nil {
			t.Fatal(err)
		}
		exec(t, conn, "INSERT INTO raw.batch VALUES (1, 'A', 3), (4, 'd', 3)")
		runIncremental(t, conn, c, false, b)
		equal(t, "batch", rows(t, conn, "SELECT id, v FROM "+batch+" ORDER BY id"), []string{"1|A", "4|d"})
		equal(t, "log", rows(t, conn, "SELECT id, v FROM "+log+" ORDER BY id, v"), []string{"1|A", "1|a", "4|d"})
		exec(t, conn, "INSERT INTO raw.batch VALUES (5, 'e', 4)")
		runIncremental(t, conn, c, false, b)
		equal(t, "log accumulates until restarted", rows(t, conn, "SELECT id, v FROM "+log+" ORDER BY id, v"),
			[]string{"1|A", "1|a", "4|d", "5|e"})
		equal(t, "batch is this run's", rows(t, conn, "SELECT id FROM "+batch), []string{"5"})
	})
	t.Run("a log whose columns differ is dropped", func(t *testing.T) {
		exec(t, conn, "ALTER TABLE "+log+" ADD COLUMN other INT", "INSERT INTO raw.batch VALUES (6, 'f', 5)")
		runIncremental(t, conn, c, false, b)
		if kind(t, conn, ChangesRelation(target)) != "" {
			t.Error("a stale log was kept")
		}
	})
	t.Run("a full build drops the log", func(t *testing.T) {
		if err := StartChanges(ctx, conn, target); err != nil {
			t.Fatal(err)
		}
		runIncremental(t, conn, c, true, b)
		if kind(t, conn, ChangesRelation(target)) != "" {
			t.Error("the log survived a full build")
		}
	})
}

// A table with rejects is written once and swapped in: no stage table is
// left behind, and a failing build keeps the old tables.
func TestTableRejectsSwap(t *testing.T) {
	conn := newConn(t)
	exec(t, conn, landing)
	c := cfg(project.Table, true)
	if _, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: c, Source: source, Render: fixed(typed)}); err != nil {
		t.Fatal(err)
	}
	equal(t, "tables", rows(t, conn, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'silver' ORDER BY 1"),
		[]string{"orders", "orders_rejects"})
	equal(t, "kept columns", rows(t, conn, "SELECT column_name FROM (DESCRIBE silver.orders) WHERE column_name = '_reject_reason'"), nil)
	_, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: c, Source: source,
		Render: fixed("SELECT 1/0 AS id, error('boom') AS _reject_reason")})
	if err == nil {
		t.Fatal("a failing model built")
	}
	equal(t, "tables after a failure", rows(t, conn, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'silver' ORDER BY 1"),
		[]string{"orders", "orders_rejects"})
	equal(t, "rows kept", rows(t, conn, "SELECT count(*) FROM silver.orders"), []string{"2"})
}
