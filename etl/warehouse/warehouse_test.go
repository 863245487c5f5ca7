package warehouse

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// walAfterClose writes a little to a database file opened with keep, closes
// it and returns the size of the write-ahead log left beside it (-1 when
// there is none), then checks on reopening that nothing committed was lost.
func walAfterClose(t *testing.T, keep int64) int64 {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	wh, err := Open(ctx, Options{Path: path, KeepWAL: keep})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, wh.DB, "CREATE TABLE runs (id INTEGER)", "INSERT INTO runs SELECT range FROM range(1000)", "CHECKPOINT",
		"INSERT INTO runs VALUES (1000)", "DELETE FROM runs WHERE id = 0")
	if err := wh.Close(); err != nil {
		t.Fatal(err)
	}
	size := int64(-1)
	if fi, err := os.Stat(path + ".wal"); err == nil {
		size = fi.Size()
	}
	wh, err = Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer wh.Close()
	var n, lo, hi int
	if err := wh.DB.QueryRow("SELECT count(*), min(id), max(id) FROM runs").Scan(&n, &lo, &hi); err != nil {
		t.Fatal(err)
	}
	if n != 1000 || lo != 1 || hi != 1000 {
		t.Fatalf("after reopening: %d rows from %d to %d, want 1000 from 1 to 1000", n, lo, hi)
	}
	return size
}

func TestCloseLeavesSmallLogForReplay(t *testing.T) {
	if size := walAfterClose(t, 0); size <= 0 {
		t.Fatalf("write-ahead log after close = %d bytes, want the small log kept", size)
	}
}

func TestCloseCheckpointsLargerLog(t *testing.T) {
	for _, keep := range []int64{1, -1} {
		if size := walAfterClose(t, keep); size > 0 {
			t.Errorf("KeepWAL %d: write-ahead log after close = %d bytes, want it checkpointed", keep, size)
		}
	}
}
