package report

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"etlrunner/etl/report/termtest"
)

// newLive returns a live reporter with a fixed clock drawing into a
// buffer, redrawing every rate.
func newLive(rate time.Duration) (*Live, *strings.Builder) {
	var b strings.Builder
	l := NewLive(&b)
	l.rate = rate
	l.text.now = func() time.Time { return clock }
	return l, &b
}

// events is a small build: a seed and a model running at once, a line
// between, a skipped test that never starts.
func events(rep Reporter) {
	started := clock.Add(-3 * time.Second)
	seed := NodeResult{UniqueID: "seed.s", Kind: "seed", Label: "seed raw.s", StartedAt: started}
	a := NodeResult{UniqueID: "model.a", Kind: "model", Label: "table model silver.a", StartedAt: started}
	b := NodeResult{UniqueID: "model.b", Kind: "model", Label: "view model gold.b", StartedAt: started}
	rep.Start(Run{ID: "r1", Command: "build", Project: "demo", Counts: map[string]int{"seed": 1, "model": 2, "test": 1}})
	rep.NodeStart(seed)
	rep.NodeProgress(seed.UniqueID, Progress{TotalFiles: 2, TotalBytes: 3072})
	rep.NodeStart(a)
	rep.NodeProgress(seed.UniqueID, Progress{Files: 2, TotalFiles: 2, Bytes: 3072, TotalBytes: 3072})
	seed.Status, seed.Message, seed.Rows = Success, "2 loaded, 0 unchanged files, 9 rows", 9
	rep.NodeDone(1, 4, seed)
	rep.Info("a line between nodes")
	rep.NodeStart(b)
	b.Status, b.Message = Success, "CREATE VIEW"
	rep.NodeDone(2, 4, b)
	a.Status, a.Message = Error, "boom"
	rep.NodeDone(3, 4, a)
	rep.NodeDone(4, 4, NodeResult{UniqueID: "test.t", Kind: "test", Label: "test t", Status: Skipped})
	rep.Finish(Summary{Elapsed: time.Second, Results: []NodeResult{seed, b, a}})
}

// TestLiveLeavesTextOnScreen: whatever was drawn meanwhile, the screen
// after Finish holds exactly Text's lines, in Text's order, and no bar.
func TestLiveLeavesTextOnScreen(t *testing.T) {
	text, want := newText()
	events(text)
	for _, rate := range []time.Duration{time.Hour, time.Millisecond} {
		t.Run(rate.String(), func(t *testing.T) {
			live, out := newLive(rate)
			events(live)
			if got := screen(t, out.String()); got != want.String() {
				t.Errorf("screen after Finish:\n%s\nwant Text's lines:\n%s", got, want)
			}
		})
	}
}

// TestLiveDraws: the stream holds cursor movements and the bars' rows: a
// seed's files and bytes, each running node, and the count of nodes done.
func TestLiveDraws(t *testing.T) {
	live, out := newLive(time.Hour)
	events(live)
	if !strings.Contains(out.String(), "\x1b[") {
		t.Fatalf("no escape code in %q", out)
	}
	rows := barRows(out.String())
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`^seed raw\.s +\[[=>-]+\] 2 of 2 files, 3\.0 KiB of 3\.0 KiB +[0-9hm]+s$`),
		regexp.MustCompile(`^table model silver\.a .* [0-9hm]+s$`),
		regexp.MustCompile(`^view model gold\.b .* [0-9hm]+s$`),
		regexp.MustCompile(`^etl build +\[[=>-]+\] [0-4] of 4 nodes, [0-2] running +[0-9hm]+s$`),
	} {
		if !slices.ContainsFunc(rows, want.MatchString) {
			t.Errorf("no bar row matches %s in\n%s", want, strings.Join(rows, "\n"))
		}
	}
	if slices.ContainsFunc(rows, func(r string) bool { return strings.HasPrefix(r, "test t") }) {
		t.Errorf("a bar for the skipped test, which never started:\n%s", strings.Join(rows, "\n"))
	}
}

// TestLiveConcurrentNodes: nodes starting, loading and finishing on many
// goroutines, redrawn all the while, leave every node's line once and no bar.
func TestLiveConcurrentNodes(t *testing.T) {
	const nodes = 30
	live, out := newLive(time.Millisecond)
	live.Start(Run{ID: "r1", Command: "run", Project: "demo", Counts: map[string]int{"seed": nodes}})
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		index   int
		results []NodeResult
	)
	for i := range nodes {
		wg.Go(func() {
			r := NodeResult{UniqueID: fmt.Sprint("seed.", i), Kind: "seed", Label: fmt.Sprint("seed raw.s", i), StartedAt: time.Now()}
			live.NodeStart(r)
			for f := range 5 {
				live.NodeProgress(r.UniqueID, Progress{Files: f, TotalFiles: 4, Bytes: int64(f) << 20, TotalBytes: 4 << 20})
			}
			r.Status = Success
			mu.Lock()
			index++
			results = append(results, r)
			n := index
			mu.Unlock()
			live.NodeDone(n, nodes, r)
		})
	}
	wg.Wait()
	live.Finish(Summary{Results: results})

	got := strings.Split(strings.TrimSuffix(screen(t, out.String()), "\n"), "\n")
	if len(got) != 2+nodes+3 {
		t.Fatalf("%d lines on screen, want %d:\n%s", len(got), 2+nodes+3, strings.Join(got, "\n"))
	}
	seen := map[string]bool{}
	for _, l := range got[2 : 2+nodes] {
		m := regexp.MustCompile(`^12:34:56 +[0-9]+ of 30 OK seed (raw\.s[0-9]+) \.+ \[in 0\.00s\]$`).FindStringSubmatch(l)
		if m == nil || seen[m[1]] {
			t.Fatalf("line %q: not a node's line, or its second", l)
		}
		seen[m[1]] = true
	}
	if last := got[len(got)-1]; last != "12:34:56  Done. PASS=30 WARN=0 ERROR=0 SKIP=0 TOTAL=30" {
		t.Errorf("last line %q", last)
	}
	checkFrames(t, out.String(), live.lines)
}

// TestLiveWaitingNode: beyond the lines there is room for, a node waits,
// and takes the line of one that finished.
func TestLiveWaitingNode(t *testing.T) {
	live, out := newLive(time.Millisecond)
	live.lines = 2
	live.Start(Run{ID: "r1", Command: "run", Project: "demo", Counts: map[string]int{"model": 3}})
	for _, id := range []string{"a", "b", "c"} {
		live.NodeStart(NodeResult{UniqueID: id, Kind: "model", Label: "model " + id})
	}
	hasBar := func(id string) bool {
		live.mu.Lock()
		defer live.mu.Unlock()
		for _, n := range live.running {
			if n.id == id {
				return n.bar != nil
			}
		}
		return false
	}
	if !hasBar("a") || !hasBar("b") || hasBar("c") {
		t.Fatalf("lines of a, b, c: %v %v %v; want a and b", hasBar("a"), hasBar("b"), hasBar("c"))
	}
	live.NodeDone(1, 3, NodeResult{UniqueID: "a", Label: "model a", Status: Success})
	for !hasBar("c") {
		time.Sleep(time.Millisecond) // until mpb has drawn a's line for the last time
	}
	live.NodeDone(2, 3, NodeResult{UniqueID: "b", Label: "model b", Status: Success})
	live.NodeDone(3, 3, NodeResult{UniqueID: "c", Label: "model c", Status: Success})
	live.Finish(Summary{})
	rows := barRows(out.String())
	if !slices.ContainsFunc(rows, func(r string) bool { return strings.HasPrefix(r, "model c ") }) {
		t.Errorf("c never drawn:\n%s", strings.Join(rows, "\n"))
	}
	checkFrames(t, out.String(), live.lines)
}

// checkFrames holds every redraw to at most lines node lines and the total,
// and each cursor move up to the rows the redraw before drew.
func checkFrames(t *testing.T, out string, lines int) {
	t.Helper()
	up := regexp.MustCompile(`\x1b\[([0-9]+)A\x1b\[J`)
	frames := up.Split(out, -1)
	moves := up.FindAllStringSubmatch(out, -1)
	for i, f := range frames {
		n := len(barRows(f))
		if n > lines+1 {
			t.Errorf("redraw %d has %d bar rows, more than %d", i, n, lines+1)
		}
		if i < len(moves) && moves[i][1] != strconv.Itoa(n) {
			t.Errorf("redraw %d drew %d bar rows, then moved up %s", i, n, moves[i][1])
		}
	}
}

// TestLiveClose: a run that ends before Finish (an error before any node)
// leaves the lines printed so far and no bar; Close is safe twice, and
// before Start.
func TestLiveClose(t *testing.T) {
	live, out := newLive(time.Hour)
	live.Close()
	live.Start(Run{ID: "r1", Command: "seed", Project: "demo", Counts: map[string]int{"seed": 1}})
	live.NodeStart(NodeResult{UniqueID: "seed.s", Kind: "seed", Label: "seed raw.s"})
	live.Info("leftovers removed")
	live.Close()
	live.Close()
	want := "12:34:56  Running etl seed on project demo (run r1)\n12:34:56  Found 1 seed\n12:34:56  leftovers removed\n"
	if got := screen(t, out.String()); got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(out.String(), "seed raw.s") {
		t.Errorf("the running seed was never drawn: %q", out)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 3 << 19: "1.5 MiB", 25 << 30: "25.0 GiB"} {
		if got := size(n); got != want {
			t.Errorf("size(%d) = %q, want %q", n, got, want)
		}
	}
}

// screen plays out out on a terminal (termtest.Screen).
func screen(t *testing.T, out string) string {
	t.Helper()
	got, err := termtest.Screen(out)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// barRows are the lines of the stream, codes removed, that Text did not
// print: the bars' rows.
func barRows(out string) []string {
	var rows []string
	for _, l := range strings.Split(termtest.Codes.ReplaceAllString(out, ""), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "12:34:56  ") {
			rows = append(rows, l)
		}
	}
	return rows
}
