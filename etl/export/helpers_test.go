package export

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"etlrunner/etl/warehouse"
)

// openDB opens a fresh in-memory warehouse and runs stmts in it.
func openDB(t *testing.T, stmts ...string) *sql.DB {
	t.Helper()
	w, err := warehouse.Open(context.Background(), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	execAll(t, w.DB, stmts...)
	return w.DB
}

func execAll(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// mustWrite runs Write and fails the test on error.
func mustWrite(t *testing.T, db *sql.DB, stageDir string, spec Spec) []File {
	t.Helper()
	files, err := Write(context.Background(), db, stageDir, spec)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return files
}

func staged(stageDir, rel string) string {
	return filepath.Join(stageDir, filepath.FromSlash(rel))
}

func filePaths(files []File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Path
	}
	return out
}

func readDirNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}

// execer lets table-driven cases run SQL against the test's database.
type execer struct{ db *sql.DB }

func (e execer) exec(t *testing.T, stmts ...string) {
	t.Helper()
	execAll(t, e.db, stmts...)
}

func writeText(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
