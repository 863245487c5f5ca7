package robustness

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fsizeEnv makes the etl process started by the test limit the size of
// every file it writes (RLIMIT_FSIZE, in bytes), as a full disk would.
const fsizeEnv = "ETL_ROBUSTNESS_FSIZE"

// bigLanding writes a CSV of n events whose export is much larger than
// the warehouse keeps of it (DuckDB compresses the repeated note).
func bigLanding(t *testing.T, dir string, n int, tag string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(csvHeader)
	note := strings.Repeat("n", 200)
	for i := range n {
		fmt.Fprintf(&b, "%s%d,%d.50,2024-03-04T00:00:00Z,2024-03-04,%s\n", tag, i, i%1000, note)
	}
	writeFile(t, filepath.Join(dir, "landing/csv/big_"+tag+".csv"), []byte(b.String()))
}

// TestDiskFullDuringExport fills the output folder's disk (a small tmpfs)
// while a run exports: the run fails with exit 1 and a message that says
// so, the previous outputs stay as they were, nothing staged is left; once
// there is room again, the next run publishes.
func TestDiskFullDuringExport(t *testing.T) {
	dir := newProject(t)
	out := filepath.Join(dir, "output")
	mkdir(t, out)
	if err := syscall.Mount("tmpfs", out, "tmpfs", 0, "size=48m"); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v); TestFileSizeLimitDuringExport covers a full disk with a file-size limit", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(out, 0) })
	mustBuild(t, dir)
	before := outputs(t, dir)

	bigLanding(t, dir, 200000, "a")
	var st syscall.Statfs_t
	if err := syscall.Statfs(out, &st); err != nil {
		t.Fatal(err)
	}
	// Leave 4 MiB: the new CSV export needs about 50.
	filler := filepath.Join(out, "filler")
	free := int64(st.Bavail)*int64(st.Bsize) - 4<<20
	writeFile(t, filler, make([]byte, free))
	r := etl(t, dir, "build")
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if r.code != 1 || !strings.Contains(strings.ToLower(r.stdout+r.stderr), "no space left on device") {
		t.Fatalf("exit %d, want 1 with \"no space left on device\"\n%s", r.code, r)
	}
	delete(before, "filler")
	if diff, ok := sameFiles(before, outputs(t, dir)); !ok {
		t.Errorf("the failed run changed the outputs: %s", diff)
	}
	if left := leftovers(t, dir); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	mustBuild(t, dir)
	checkManifest(t, out)
}

// TestFileSizeLimitDuringExport runs etl under a file-size limit (what a
// quota or a full disk does to a write) that the warehouse stays under and
// the CSV export does not: exit 1 naming the problem, previous outputs
// intact, staged files removed.
func TestFileSizeLimitDuringExport(t *testing.T) {
	dir := newProject(t)
	mustBuild(t, dir)
	before := outputs(t, dir)
	bigLanding(t, dir, 300000, "b")

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "build", "--project-dir", dir)
	cmd.Env = append(os.Environ(), cliEnv+"=1", fmt.Sprintf("%s=%d", fsizeEnv, 24<<20))
	output, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(strings.ToLower(string(output)), "file too large") {
		t.Fatalf("%v, want exit 1 with \"file too large\"\n%s", err, output)
	}
	if diff, ok := sameFiles(before, outputs(t, dir)); !ok {
		t.Errorf("the failed run changed the outputs: %s", diff)
	}
	if left := leftovers(t, dir); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	mustBuild(t, dir)
	checkManifest(t, filepath.Join(dir, "output"))
}
