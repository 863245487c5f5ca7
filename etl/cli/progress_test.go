package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/creack/pty"

	"etlrunner/etl/report/termtest"
)

// consoleLine is a dbt-style line as Text prints it.
var consoleLine = regexp.MustCompile(`^[0-9]{2}:[0-9]{2}:[0-9]{2}  .*\S`)

// TestProgressPipedIsPlain: a build whose output is a pipe, as under a
// scheduler, or a buffer prints plain lines, not one escape code.
func TestProgressPipedIsPlain(t *testing.T) {
	dir := copyProject(t)
	t.Run("buffer", func(t *testing.T) {
		r := etl(t, dir, "build").must(t, ExitOK).contains(t, "Done. PASS=")
		noEscape(t, r.stdout+r.stderr)
	})
	t.Run("pipe", func(t *testing.T) {
		out := runOn(t, dir, func() (*os.File, *os.File, error) { return os.Pipe() }, "build", "--full-refresh")
		noEscape(t, out)
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if !consoleLine.MatchString(l) {
				t.Errorf("not a console line: %q", l)
			}
		}
		if !strings.Contains(out, "Done. PASS=") {
			t.Errorf("no closing line in\n%s", out)
		}
	})
}

// TestProgressOnTerminal: on a terminal a build draws a line per running
// node (a seed's files and bytes) and a bar of the nodes done, and erases
// them: the screen keeps only the console lines, closing line included.
func TestProgressOnTerminal(t *testing.T) {
	dir := copyProject(t)
	out := runOn(t, dir, openPty(t), "build")
	if !regexp.MustCompile(`\x1b\[[0-9]+A\x1b\[J`).MatchString(out) {
		t.Errorf("no redraw (cursor up, erase) in %q", out)
	}
	drawn := termtest.Codes.ReplaceAllString(strings.ReplaceAll(out, "\r", ""), "")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^seed raw\.\w+ +\[[=>-]+\] [0-9]+ of [0-9]+ files, [0-9.]+ (B|KiB|MiB) of [0-9.]+ (B|KiB|MiB) +[0-9hms]+$`),
		regexp.MustCompile(`(?m)^etl build +\[[=>-]*\] [0-9]+ of [0-9]+ nodes, [0-9]+ running +[0-9hms]+$`),
	} {
		if !want.MatchString(drawn) {
			t.Errorf("nothing drawn matches %s in\n%s", want, drawn)
		}
	}
	lines := strings.Split(strings.TrimSuffix(terminalScreen(t, out), "\n"), "\n")
	for _, l := range lines {
		if !consoleLine.MatchString(l) {
			t.Errorf("left on the screen, not a console line: %q", l)
		}
	}
	if last := lines[len(lines)-1]; !regexp.MustCompile(`Done\. PASS=[0-9]+ WARN=0 ERROR=0 SKIP=0 TOTAL=[0-9]+$`).MatchString(last) {
		t.Errorf("last line on the screen: %q", last)
	}
	if !strings.Contains(strings.Join(lines, "\n"), " OK seed raw.") {
		t.Errorf("no seed's line on the screen:\n%s", strings.Join(lines, "\n"))
	}
}

// TestProgressFlag: --progress forces the drawing on or off whatever the
// output, and only with text lines.
func TestProgressFlag(t *testing.T) {
	dir := copyProject(t)
	r := etl(t, dir, "seed", "--progress", "always").must(t, ExitOK)
	if !strings.Contains(r.stdout, "\x1b[") || !strings.Contains(r.stdout, "Done. PASS=") {
		t.Errorf("--progress always on a buffer drew nothing:\n%q", r.stdout)
	}
	noEscape(t, runOn(t, dir, openPty(t), "seed", "--progress", "never"))
	etl(t, dir, "seed", "--progress", "sometimes").must(t, ExitProblem).contains(t, "--progress must be auto, always or never")
	etl(t, dir, "seed", "--progress", "always", "--log-format", "json").must(t, ExitProblem).contains(t, "--log-format json")
	noEscape(t, etl(t, dir, "seed", "--log-format", "json").must(t, ExitOK).stdout)
}

func noEscape(t *testing.T, out string) {
	t.Helper()
	if i := strings.IndexByte(out, 0x1b); i >= 0 {
		t.Errorf("escape code at byte %d: %q", i, out[max(i-40, 0):min(i+40, len(out))])
	}
}

// openPty returns an opener of a pseudo-terminal of 200 by 50, the
// terminal's side first.
func openPty(t *testing.T) func() (*os.File, *os.File, error) {
	return func() (*os.File, *os.File, error) {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal here: %v", err)
		}
		if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 200}); err != nil {
			t.Fatal(err)
		}
		return ptmx, tty, nil
	}
}

// runOn runs the command line in-process with stdout and stderr on the
// writing end of what open returns (a pipe, a terminal), and returns all
// that was written.
func runOn(t *testing.T, dir string, open func() (r, w *os.File, err error), args ...string) string {
	t.Helper()
	r, w, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out bytes.Buffer
	read := make(chan error, 1)
	go func() {
		_, err := io.Copy(&out, r)
		read <- err
	}()
	full := append([]string{"etl", args[0], "--project-dir", dir}, args[1:]...)
	code := Run(context.Background(), full, w, w)
	w.Close()
	// A terminal's reading side ends with EIO once the other side closes.
	if err := <-read; err != nil && !strings.Contains(err.Error(), "input/output error") {
		t.Fatal(err)
	}
	if code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	return out.String()
}

// terminalScreen plays out out on a terminal (termtest.Screen).
func terminalScreen(t *testing.T, out string) string {
	t.Helper()
	got, err := termtest.Screen(out)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
