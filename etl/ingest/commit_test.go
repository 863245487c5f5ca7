package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"etlrunner/etl/warehouse"
)

func chatSeed() Seed {
	return Seed{Name: "chat", Pattern: "landing/*.ndjson", Format: FormatNDJSON, Schema: "raw", Table: "chatbot"}
}

func chatLines(prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"customer":"%s%d","flow":"f","session":"%d","timestamp":"t","content":"%s"}`+"\n",
			prefix, i, i, strings.Repeat("x", 40))
	}
	return b.String()
}

// A file whose structure fails only once its rows are in the table (a key
// no record has) must leave the table as it was: the inserted rows are
// removed, replaced files keep their old rows.
func TestFailureAfterInsertChangesNothing(t *testing.T) {
	db := newDB(t)
	exec(t, db, chatbotDDL)
	dir := t.TempDir()
	writeFile(t, dir, "landing/a.ndjson", chatLines("a", 3))
	mustLoad(t, db, chatSeed(), Options{Dir: dir, RunID: "r1"})
	snapshot := func() []string {
		return append(
			query(t, db, `SELECT _source_file, _source_line, customer FROM raw.chatbot ORDER BY ALL`),
			query(t, db, `SELECT path, row_count, run_id FROM etl_meta.file_ledger ORDER BY path`)...)
	}
	before := snapshot()

	writeFile(t, dir, "landing/a.ndjson", chatLines("b", 2))
	writeFile(t, dir, "landing/c.ndjson", `{"customer":"c","flow":"f","session":"1","timestamp":"t"}`+"\n")
	_, err := Load(context.Background(), db, chatSeed(), Options{Dir: dir, RunID: "r2"})
	var inErr *InputError
	if !errors.As(err, &inErr) || err.Error() != `landing/c.ndjson:1: missing column "content"` {
		t.Fatalf("error = %v", err)
	}
	equal(t, "after failed load", snapshot(), before)
}

// Rows of a load that stopped between its two commits (still marked) are
// not data: the next load removes them, whether or not their file is still
// there, and loads the files again.
func TestInterruptedLoadIsCleared(t *testing.T) {
	db := newDB(t)
	exec(t, db, chatbotDDL)
	dir := t.TempDir()
	writeFile(t, dir, "landing/a.ndjson", chatLines("a", 2))
	mustLoad(t, db, chatSeed(), Options{Dir: dir, RunID: "r1"})
	writeFile(t, dir, "landing/b.ndjson", chatLines("b", 2))
	exec(t, db, `INSERT INTO raw.chatbot VALUES ('b0', 'f', '0', 't', 'x', 'landing/b.ndjson', -1, now()),
		('b1', 'f', '1', 't', 'x', 'landing/b.ndjson', -1, now()),
		('g0', 'f', '0', 't', 'x', 'landing/gone.ndjson', -1, now())`)
	res := mustLoad(t, db, chatSeed(), Options{Dir: dir, RunID: "r2"})
	equal(t, "actions", actions(res), []string{"landing/a.ndjson unchanged 2", "landing/b.ndjson loaded 2"})
	equal(t, "rows", query(t, db, `SELECT _source_file, _source_line, customer FROM raw.chatbot ORDER BY ALL`),
		[]string{"landing/a.ndjson|1|a0", "landing/a.ndjson|2|a1", "landing/b.ndjson|1|b0", "landing/b.ndjson|2|b1"})
}

// A large load must not pass through the write-ahead log: DuckDB writes a
// bulk insert to the database file as it goes, unless the same transaction
// then changes those rows, when the commit logs every row (a day of
// notifications made a 25 GB log that way). What the log may hold is the
// numbering of the lines, about 16 bytes a row.
func TestLargeLoadSkipsTheLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := warehouse.Open(ctx, warehouse.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	mig, err := os.ReadFile(filepath.Join("..", "..", "sql", "migrations", "00001_etl_metadata.sql"))
	if err != nil {
		t.Fatal(err)
	}
	up := string(mig)
	exec(t, w.DB, up[strings.Index(up, "-- +goose Up"):strings.Index(up, "-- +goose Down")])
	exec(t, w.DB, "CREATE SCHEMA raw")
	exec(t, w.DB, chatbotDDL)
	exec(t, w.DB, "CHECKPOINT")
	dir := t.TempDir()
	for i := range 3 {
		writeFile(t, dir, fmt.Sprintf("landing/%d.ndjson", i), chatLines(fmt.Sprint(i), 100_000))
	}
	res := mustLoad(t, w.DB, chatSeed(), Options{Dir: dir, RunID: "r1"})
	if res.RowsLoaded != 300_000 {
		t.Fatalf("rows loaded = %d", res.RowsLoaded)
	}
	equal(t, "last line of each file", query(t, w.DB, `SELECT _source_file, max(_source_line) FROM raw.chatbot GROUP BY 1 ORDER BY 1`),
		[]string{"landing/0.ndjson|100000", "landing/1.ndjson|100000", "landing/2.ndjson|100000"})
	fi, err := os.Stat(path + ".wal")
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err == nil && fi.Size() > 12<<20 {
		t.Fatalf("write-ahead log holds %d bytes after loading 300,000 rows: the rows went through it", fi.Size())
	}
}
