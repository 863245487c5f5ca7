package robustness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"etlrunner/etl/warehouse"
)

// crashTrialsEnv sets how many runs the crash test kills (make test-crash
// asks for 24; make test runs a few).
const crashTrialsEnv = "ETL_CRASH_TRIALS"

// repoProject copies the repository's project (its models, macros,
// migrations, tests and seeds) into a new folder.
func repoProject(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range []string{"etl.yml", "models", "sql", "tests"} {
		copyTree(t, filepath.Join("../..", p), filepath.Join(dir, p))
	}
	return dir
}

// change is what happens to the landing folder before a night's run;
// each can happen again and again (trial is its count).
type change struct {
	name  string
	apply func(t *testing.T, landing, spare string, trial int)
}

var changes = []change{
	{"a late copy of a notification file", func(t *testing.T, landing, _ string, trial int) {
		copyFile(t, filepath.Join(landing, "notifications/2020-02-04T00-02.jsonl"),
			filepath.Join(landing, fmt.Sprintf("notifications/2020-02-04T01-%02d.jsonl", trial%60)))
	}},
	{"a notification file removed or back", func(t *testing.T, landing, spare string, _ int) {
		toggle(t, filepath.Join(landing, "notifications/2020-02-03T23-57.jsonl"), filepath.Join(spare, "23-57.jsonl"), false)
	}},
	{"a CDC file cut in half or whole again", func(t *testing.T, landing, spare string, _ int) {
		toggle(t, filepath.Join(landing, "ecommerce_cdc/0006-changes.jsonl"), filepath.Join(spare, "0006.jsonl"), true)
	}},
	{"shipments and invoices replaced", func(t *testing.T, landing, spare string, _ int) {
		toggle(t, filepath.Join(landing, "shipments.csv"), filepath.Join(spare, "shipments.csv"), true)
		toggle(t, filepath.Join(landing, "invoices.csv"), filepath.Join(spare, "invoices.csv"), true)
	}},
}

// toggle swaps a landing file between its original (kept in spare) and
// its absence, or the first half of its lines when halve is set.
func toggle(t *testing.T, p, spare string, halve bool) {
	t.Helper()
	if _, err := os.Stat(spare); err == nil {
		copyFile(t, spare, p)
		if err := os.Remove(spare); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, spare, data)
	if !halve {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		return
	}
	lines := strings.SplitAfter(string(data), "\n")
	writeFile(t, p, []byte(strings.Join(lines[:len(lines)/2], "")))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, data)
}

// TestCrashRecovery kills real etl build processes with SIGKILL at points
// spread over the whole run (loads, models, tests, exports, publishing),
// night after night on a changing landing folder, every other night with
// --full-refresh. After each kill, the next run must succeed, leave
// nothing behind, publish the outputs of a clean build on the same folder,
// and a manifest that lists exactly the files in place with their sizes
// and hashes.
func TestCrashRecovery(t *testing.T) {
	trials := 4
	if v := os.Getenv(crashTrialsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", crashTrialsEnv, v)
		}
		trials = n
	}
	landing, spare := filepath.Join(t.TempDir(), "landing"), t.TempDir()
	copyTree(t, "../../seeds", landing)
	vars := "{seeds_dir: " + landing + "}"
	dir := repoProject(t)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	// A run prints a line per node as it finishes, then publishes and
	// sums up: a kill after a random number of lines lands anywhere.
	lines := len(strings.Split(mustBuild(t, dir, "--vars", vars).stdout, "\n"))
	killed := 0
	for i := range trials {
		c := changes[i%len(changes)]
		c.apply(t, landing, spare, i)
		args := []string{"build", "--vars", vars}
		if i%2 == 1 {
			args = append(args, "--full-refresh")
		}
		at := 1 + rng.IntN(lines)
		if i%4 == 3 {
			// The last exports, the publish and the manifest are a few
			// lines at the end: aim there every fourth night.
			at = lines - 8 + rng.IntN(8)
		}
		last, ok := killAtLine(t, dir, at, time.Duration(rng.IntN(40))*time.Millisecond, args...)
		if ok {
			killed++
		}
		t.Logf("trial %d (%s, %v): killed after line %d of %d: %s", i+1, c.name, args[3:], at, lines, last)

		r := mustBuild(t, dir, "--vars", vars)
		if left := leftovers(t, dir); len(left) > 0 {
			t.Errorf("trial %d: left behind after the next run: %v", i+1, left)
		}
		if diff := diffRows(exportRows(t, dir), cleanOutputs(t, landing)); diff != "" {
			t.Errorf("trial %d (%s, killed after line %d): the outputs differ from a clean build: %s\n%s", i+1, c.name, at, diff, r.stdout)
		}
		checkManifest(t, filepath.Join(dir, "output"))
	}
	if killed < trials/2 {
		t.Errorf("only %d of %d runs were killed before they finished", killed, trials)
	}
}

// proc is an etl process started by a test, its output read as it comes.
type proc struct {
	cmd  *exec.Cmd
	out  io.ReadCloser
	seen strings.Builder
}

// startEtl starts etl as its own process (the test binary in CLI mode).
func startEtl(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: exec.Command(exe, append([]string{args[0], "--project-dir", dir}, args[1:]...)...)}
	p.cmd.Env = append(os.Environ(), cliEnv+"=1")
	if p.out, err = p.cmd.StdoutPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

// readUntil reads the output until done says so; false when it ended first.
func (p *proc) readUntil(done func(printed string) bool) bool {
	buf := make([]byte, 4096)
	for !done(p.seen.String()) {
		n, err := p.out.Read(buf)
		p.seen.Write(buf[:n])
		if err != nil {
			return done(p.seen.String())
		}
	}
	return true
}

// stop sends sig, then waits for the process to end; it reports whether
// the signal ended it (rather than the process finishing first) and its
// exit error.
func (p *proc) stop(sig syscall.Signal) (bool, error) {
	sent := p.cmd.Process.Signal(sig) == nil
	go func() { _, _ = io.Copy(io.Discard, p.out) }()
	err := p.cmd.Wait()
	var exit *exec.ExitError
	return sent && errors.As(err, &exit) && (!exit.Exited() || sig != syscall.SIGKILL), err
}

// lastLine is the last line the process printed.
func (p *proc) lastLine() string {
	printed := strings.Split(strings.TrimSpace(p.seen.String()), "\n")
	return printed[len(printed)-1]
}

// killAtLine starts etl and kills it with SIGKILL once it has printed
// line lines (and jitter more), unless it finishes first. It returns the
// last line printed and whether it killed the run.
func killAtLine(t *testing.T, dir string, line int, jitter time.Duration, args ...string) (string, bool) {
	t.Helper()
	p := startEtl(t, dir, args...)
	if !p.readUntil(func(printed string) bool { return strings.Count(printed, "\n") >= line }) {
		_ = p.cmd.Wait()
		return p.lastLine(), false
	}
	time.Sleep(jitter)
	killed, _ := p.stop(syscall.SIGKILL)
	return p.lastLine(), killed
}

// cleanOutputs builds a fresh copy of the project on landing.
func cleanOutputs(t *testing.T, landing string) map[string][]string {
	t.Helper()
	dir := repoProject(t)
	mustBuild(t, dir, "--vars", "{seeds_dir: "+landing+"}")
	return exportRows(t, dir)
}

// exportRows reads every output as a reader does, whichever files a run
// chose to add or rewrite: per output (a top-level file or folder) and
// format, its CSV lines (headers first, then rows, sorted) or its Parquet
// rows rendered as text by DuckDB, sorted.
func exportRows(t *testing.T, dir string) map[string][]string {
	t.Helper()
	root := filepath.Join(dir, "output")
	csvs, parquets := map[string][]string{}, map[string][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		top := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
		switch filepath.Ext(p) {
		case ".csv":
			csvs[top] = append(csvs[top], p)
		case ".parquet":
			parquets[top] = append(parquets[top], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for top, files := range csvs {
		var headers, rows []string
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			if !slices.Contains(headers, lines[0]) {
				headers = append(headers, lines[0])
			}
			rows = append(rows, lines[1:]...)
		}
		slices.Sort(headers)
		slices.Sort(rows)
		out[top+" (csv)"] = append(headers, rows...)
	}
	if len(parquets) > 0 {
		w, err := warehouse.Open(context.Background(), warehouse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		for top, files := range parquets {
			quoted := make([]string, len(files))
			for i, f := range files {
				quoted[i] = warehouse.QuoteString(f)
			}
			rows, err := w.DB.Query(fmt.Sprintf("SELECT COLUMNS(*)::VARCHAR FROM read_parquet([%s], union_by_name = true)", strings.Join(quoted, ", ")))
			if err != nil {
				t.Fatalf("read %s: %v", top, err)
			}
			lines := scanLines(t, rows)
			rows.Close()
			slices.Sort(lines)
			out[top+" (parquet)"] = lines
		}
	}
	return out
}

func diffRows(got, want map[string][]string) string {
	var diffs []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			diffs = append(diffs, k+" is missing")
		} else if !slices.Equal(g, w) {
			diffs = append(diffs, fmt.Sprintf("%s has %d lines, want %d", k, len(g), len(w)))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, k+" is not in a clean build")
		}
	}
	slices.Sort(diffs)
	return strings.Join(diffs, "; ")
}

// checkManifest holds the output manifest against the files: each listed
// file in place with its size and hash; each file listed.
func checkManifest(t *testing.T, root string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "_manifest.json"))
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	var m struct {
		Files []struct {
			Path   string `json:"path"`
			Bytes  int64  `json:"bytes"`
			SHA256 string `json:"sha256"`
			Empty  bool   `json:"empty"`
		} `json:"files"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Path] = true
		if f.Empty {
			continue
		}
		body, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Errorf("manifest lists %s: %v", f.Path, err)
			continue
		}
		sum := sha256.Sum256(body)
		switch {
		case int64(len(body)) != f.Bytes:
			t.Errorf("manifest: %s has %d bytes, listed %d", f.Path, len(body), f.Bytes)
		case hex.EncodeToString(sum[:]) != f.SHA256:
			t.Errorf("manifest: %s does not hash to its listed sha256", f.Path)
		}
	}
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if rel != "_manifest.json" && !listed[rel] {
			t.Errorf("%s is in the output folder but not in the manifest", rel)
		}
		return nil
	})
}

// TestInterruptLeavesNothing stops real runs with SIGTERM (what a scheduler
// sends on a timeout) while they work: each exits 1, publishes nothing and
// leaves nothing behind, not even the staging folder of its own exports.
func TestInterruptLeavesNothing(t *testing.T) {
	landing := filepath.Join(t.TempDir(), "landing")
	copyTree(t, "../../seeds", landing)
	vars := "{seeds_dir: " + landing + "}"
	dir := repoProject(t)
	mustBuild(t, dir, "--vars", vars)
	before := outputs(t, dir)
	for _, wait := range []string{"OK seed", "OK incremental model", "OK export"} {
		p := startEtl(t, dir, "build", "--full-refresh", "--vars", vars)
		p.readUntil(func(printed string) bool { return strings.Contains(printed, wait) })
		_, err := p.stop(syscall.SIGTERM)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("SIGTERM after %q: %v, want exit 1", wait, err)
		}
		if left := leftovers(t, dir); len(left) > 0 {
			t.Errorf("SIGTERM after %q left behind: %v", wait, left)
		}
		if diff, ok := sameFiles(before, outputs(t, dir)); !ok {
			t.Errorf("SIGTERM after %q changed the outputs: %s", wait, diff)
		}
	}
}

// TestKillAfterModelsCommitted kills incremental runs near their end, after
// the batch models committed their rows and before the run recorded
// anything else. The models' records are committed with their rows, so
// the next run neither appends a batch twice (the row audit would fail)
// nor loses one downstream.
func TestKillAfterModelsCommitted(t *testing.T) {
	landing, spare := filepath.Join(t.TempDir(), "landing"), t.TempDir()
	copyTree(t, "../../seeds", landing)
	vars := "{seeds_dir: " + landing + "}"
	dir := repoProject(t)
	lines := len(strings.Split(mustBuild(t, dir, "--vars", vars).stdout, "\n"))
	for i, back := range []int{16, 10, 6} {
		changes[0].apply(t, landing, spare, i)
		last, killed := killAtLine(t, dir, lines-back, 0, "build", "--vars", vars)
		if !killed {
			t.Fatalf("the run finished before line %d", lines-back)
		}
		t.Logf("killed after line %d of %d: %s", lines-back, lines, last)
		mustBuild(t, dir, "--vars", vars)
		if diff := diffRows(exportRows(t, dir), cleanOutputs(t, landing)); diff != "" {
			t.Errorf("killed after line %d: the outputs differ from a clean build: %s", lines-back, diff)
		}
	}
}
