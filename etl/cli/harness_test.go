package cli

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"etlrunner/etl/tmpl"
	"etlrunner/etl/warehouse"
)

// repoRoot is the project at the top of the repository, which the end-to-end
// tests copy so they run the real models on the real seeds.
const repoRoot = "../.."

// sharedDir holds the public reference data sets, beside the repository.
const sharedDir = "../../../shared/reference-data"

// copyProject copies the repository's project (not its outputs) into a new
// temporary folder and returns it.
func copyProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range []string{"etl.yml", "models", "sql", "seeds", "tests"} {
		src := filepath.Join(repoRoot, p)
		if _, err := os.Stat(src); err != nil {
			continue
		}
		copyTree(t, src, filepath.Join(dir, p))
	}
	return dir
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// result of one command.
type result struct {
	code           int
	stdout, stderr string
}

// etl runs the command line in-process against the project in dir.
func etl(t *testing.T, dir string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	full := append([]string{"etl", args[0], "--project-dir", dir}, args[1:]...)
	code := Run(context.Background(), full, &out, &errOut)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

func (r result) must(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

func (r result) contains(t *testing.T, parts ...string) result {
	t.Helper()
	all := r.stdout + r.stderr
	for _, p := range parts {
		if !strings.Contains(all, p) {
			t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", p, r.stdout, r.stderr)
		}
	}
	return r
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// snapshot returns every file under dir (relative path -> content),
// leaving out those whose content legitimately changes with each run.
func snapshot(t *testing.T, dir string, skip ...string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		for _, s := range skip {
			if strings.HasSuffix(rel, s) {
				return nil
			}
		}
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// runWarehouse opens the warehouse a finished run left in dir, for
// queries; it closes when the test ends, or earlier by Close before another
// run opens the file.
func runWarehouse(t *testing.T, dir string) *sql.DB {
	t.Helper()
	w, err := warehouse.Open(context.Background(), warehouse.Options{Path: filepath.Join(dir, "target/warehouse.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w.DB
}

// queryInt runs a query that returns one integer.
func queryInt(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// memoryDB is an empty in-memory warehouse.
func memoryDB(t testing.TB) *sql.DB {
	t.Helper()
	w, err := warehouse.Open(context.Background(), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w.DB
}

// macroSQL renders query with every macro of the project, for testing a
// macro against DuckDB on its own.
func macroSQL(t testing.TB, query string, vars map[string]any) string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot, "sql/macros/*.sql"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no macros: %v", err)
	}
	files := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = string(data)
	}
	e, err := tmpl.NewEngine(files)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Render(context.Background(), "probe.sql", query, tmpl.Context{Vars: vars})
	if err != nil {
		t.Fatal(err)
	}
	return res.SQL
}

func needShared(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(sharedDir); err != nil {
		t.Skipf("reference data not found at %s: %v", sharedDir, err)
	}
}
