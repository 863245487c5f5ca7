package robustness

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"etlrunner/etl/cli"
	"etlrunner/etl/warehouse"
)

// cliEnv makes the test binary behave as the etl command, so the crash and
// disk tests start real etl processes without building another binary.
const cliEnv = "ETL_ROBUSTNESS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(cliEnv) == "1" {
		if v := os.Getenv(fsizeEnv); v != "" {
			limitFileSize(v)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := cli.Run(ctx, append([]string{"etl"}, os.Args[1:]...), os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// limitFileSize caps every file the process writes at n bytes: a write
// past it fails with EFBIG ("file too large") instead of killing the
// process with SIGXFSZ.
func limitFileSize(n string) {
	limit, err := strconv.ParseUint(n, 10, 64)
	if err != nil {
		panic(err)
	}
	signal.Ignore(syscall.SIGXFSZ)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		panic(err)
	}
}

// repoMigrations hold the runner's own bookkeeping tables, which every
// project carries.
const repoMigrations = "../../sql/migrations"

// The landing files of a healthy first night, one per feed.
var baseline = map[string]string{
	"landing/csv/events_001.csv": "id,amount,event_at,day,note\n" +
		"e1,10.50,2024-03-01T10:00:00Z,2024-03-01,first\n" +
		"e2,3,2024-03-01T10:05:00+07:00,2024-03-01,second\n",
	"landing/ndjson/events_001.jsonl": `{"id":"n1","amount":"1.25","event_at":"2024-03-01T11:00:00Z","day":"2024-03-01","note":"a"}` + "\n" +
		`{"id":"n2","amount":"2","event_at":"2024-03-01T11:30:00-03:00","day":"2024-03-01","note":"b"}` + "\n",
	"landing/json/events_001.json": `[{"id":"j1","amount":"7","event_at":"2024-03-02T00:00:00Z","day":"2024-03-02","note":"x"},` +
		`{"id":"j2","amount":"8.5","event_at":"2024-03-02T01:00:00Z","day":"2024-03-02","note":"y"}]` + "\n",
}

// newProject copies the suite's project and the repository's migrations
// into a new folder and writes the baseline landing files.
func newProject(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, "testdata/project", dir)
	copyTree(t, repoMigrations, filepath.Join(dir, "sql/migrations"))
	for p, text := range baseline {
		writeFile(t, filepath.Join(dir, p), []byte(text))
	}
	return dir
}

func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular():
			return nil
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

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// result of one etl command.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "stdout:\n" + r.stdout + "stderr:\n" + r.stderr
}

// etl runs a command in-process against the project in dir.
func etl(t testing.TB, dir string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	full := append([]string{"etl", args[0], "--project-dir", dir}, args[1:]...)
	code := cli.Run(context.Background(), full, &out, &errOut)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// mustBuild runs etl build and fails the test unless it succeeds.
func mustBuild(t testing.TB, dir string, args ...string) result {
	t.Helper()
	r := etl(t, dir, append([]string{"build"}, args...)...)
	if r.code != 0 {
		t.Fatalf("etl build: exit %d\n%s", r.code, r)
	}
	return r
}

// outputs maps every file under the project's output folder to its
// content, the manifest aside (it names the run).
func outputs(t testing.TB, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	root := filepath.Join(dir, "output")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "_manifest.json" {
			return nil
		}
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files
}

// sameFiles reports the first difference between two snapshots.
func sameFiles(a, b map[string]string) (string, bool) {
	for p, v := range a {
		w, ok := b[p]
		if !ok {
			return p + " is gone", false
		}
		if v != w {
			return p + " changed", false
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			return p + " appeared", false
		}
	}
	return "", true
}

// leftovers lists what a run must never leave in the output folder: staging
// folders, folders set aside while publishing, temporary files.
func leftovers(t testing.TB, dir string) []string {
	t.Helper()
	var found []string
	for _, root := range []string{filepath.Join(dir, "output"), filepath.Join(dir, "target")} {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || p == root {
				return nil
			}
			name := d.Name()
			if strings.HasPrefix(name, ".staging-") || strings.Contains(name, ".old-") || strings.HasSuffix(name, ".tmp") ||
				strings.HasPrefix(name, "duckdb_temp_") {
				rel, _ := filepath.Rel(dir, p)
				found = append(found, rel)
			}
			return nil
		})
	}
	return found
}

// counts returns the row count of each relation, from the warehouse a
// finished run left in dir; a relation that does not exist counts -1.
func counts(t testing.TB, dir string, relations ...string) map[string]int {
	t.Helper()
	w, err := warehouse.Open(context.Background(), warehouse.Options{Path: filepath.Join(dir, "target/warehouse.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	out := map[string]int{}
	for _, rel := range relations {
		var n int
		if err := w.DB.QueryRow("SELECT count(*) FROM " + rel).Scan(&n); err != nil {
			n = -1
		}
		out[rel] = n
	}
	return out
}

// query runs a query on the warehouse a finished run left in dir and
// returns its rows as text, one line per row.
func query(t testing.TB, dir, q string) []string {
	t.Helper()
	w, err := warehouse.Open(context.Background(), warehouse.Options{Path: filepath.Join(dir, "target/warehouse.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rows, err := w.DB.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	return scanLines(t, rows)
}

func scanLines(t testing.TB, rows *sql.Rows) []string {
	t.Helper()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			parts[i] = v.String
			if !v.Valid {
				parts[i] = "NULL"
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
