package warehouse

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestQueryLog(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := EnableQueryLog(ctx, w.DB); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE TABLE t AS SELECT 1 AS a", "INSERT INTO t VALUES (2)"} {
		if _, err := w.DB.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "q.jsonl")
	if err := WriteQueryLog(ctx, w.DB, path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e struct {
			ConnectionID int64  `json:"connection_id"`
			Query        string `json:"query"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		got = append(got, strings.TrimSpace(e.Query))
	}
	if len(got) != 2 || got[0] != "CREATE TABLE t AS SELECT 1 AS a" || got[1] != "INSERT INTO t VALUES (2)" {
		t.Fatalf("log = %q", got)
	}
}
