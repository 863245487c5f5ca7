package report

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

var clock = time.Date(2024, 5, 6, 12, 34, 56, 0, time.UTC)

// newText returns a reporter with a fixed clock and its output buffer.
func newText() (*Text, *strings.Builder) {
	var b strings.Builder
	rep := NewText(&b)
	rep.now = func() time.Time { return clock }
	return rep, &b
}

func lines(b *strings.Builder) []string {
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}

func TestTextStart(t *testing.T) {
	cases := []struct {
		name   string
		counts map[string]int
		want   []string
	}{
		{"with counts", map[string]int{"test": 1, "model": 2, "seed": 1}, []string{
			"12:34:56  Running etl build on project demo (run r1)",
			"12:34:56  Found 2 models, 1 seed, 1 test",
		}},
		{"nothing selected", nil, []string{"12:34:56  Running etl build on project demo (run r1)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, b := newText()
			rep.Start(Run{ID: "r1", Command: "build", Project: "demo", Counts: tc.counts})
			if got := lines(b); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestTextNodeDone(t *testing.T) {
	secs := 1500 * time.Millisecond
	cases := []struct {
		name         string
		index, total int
		r            NodeResult
		want         string
	}{
		{"success with message", 1, 12, NodeResult{Status: Success, Label: "table model silver.orders", Message: "CREATE TABLE, 3 rows", ExecutionTime: secs},
			"12:34:56   1 of 12 OK table model silver.orders .......................... [CREATE TABLE, 3 rows in 1.50s]"},
		{"success without message", 12, 12, NodeResult{Status: Success, Label: "seed orders", ExecutionTime: secs},
			"12:34:56  12 of 12 OK seed orders ........................................ [in 1.50s]"},
		{"error", 2, 3, NodeResult{Status: Error, Label: "view model gold.x", Message: "Binder Error", ExecutionTime: secs},
			"12:34:56  2 of 3 ERROR view model gold.x ................................. [ERROR in 1.50s]"},
		{"skipped", 3, 3, NodeResult{Status: Skipped, Label: "view model gold.y"},
			"12:34:56  3 of 3 SKIP view model gold.y .................................. [SKIP]"},
		{"pass", 1, 3, NodeResult{Status: Pass, Label: "test not_null_a_id", ExecutionTime: secs},
			"12:34:56  1 of 3 PASS test not_null_a_id ................................. [PASS in 1.50s]"},
		{"fail", 1, 3, NodeResult{Status: Fail, Label: "test unique_a_id", Failures: 4, ExecutionTime: secs},
			"12:34:56  1 of 3 FAIL test unique_a_id ................................... [FAIL 4 in 1.50s]"},
		{"warn", 1, 3, NodeResult{Status: Warn, Label: "test unique_a_id", Failures: 2, ExecutionTime: secs},
			"12:34:56  1 of 3 WARN test unique_a_id ................................... [WARN 2 in 1.50s]"},
		{"a long label gets no dots", 1, 3, NodeResult{Status: Success, Label: strings.Repeat("x", 70), ExecutionTime: secs},
			"12:34:56  1 of 3 OK " + strings.Repeat("x", 70) + "  [in 1.50s]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, b := newText()
			rep.NodeDone(tc.index, tc.total, tc.r)
			if got := lines(b); len(got) != 1 || got[0] != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestTextNodeDoneAligns: every status's bracket starts in the same column,
// whatever the index width.
func TestTextNodeDoneAligns(t *testing.T) {
	rep, b := newText()
	for i, s := range []string{Success, Error, Skipped, Pass, Fail, Warn} {
		rep.NodeDone(i+1, 100, NodeResult{Status: s, Label: "model m"})
	}
	for _, l := range lines(b) {
		if got := strings.Index(l, "["); got != len("12:34:56  ")+64+1 {
			t.Errorf("bracket at %d in %q", got, l)
		}
	}
}

func TestTextFinish(t *testing.T) {
	results := func(statuses ...string) []NodeResult {
		var out []NodeResult
		for i, s := range statuses {
			out = append(out, NodeResult{Status: s, Label: fmt.Sprintf("node %d", i), File: fmt.Sprintf("f%d.sql", i), Message: "msg"})
		}
		return out
	}
	cases := []struct {
		name string
		s    Summary
		want []string
	}{
		{"all good", Summary{Elapsed: 3200 * time.Millisecond, Results: results(Success, Pass, Success)}, []string{
			"Finished in 3.20s.",
			"Completed successfully.",
			"Done. PASS=3 WARN=0 ERROR=0 SKIP=0 TOTAL=3",
		}},
		{"a warning", Summary{Results: results(Success, Warn)}, []string{
			"Finished in 0.00s.",
			"WARN node 1 (f1.sql): msg",
			"Completed with 1 warning.",
			"Done. PASS=1 WARN=1 ERROR=0 SKIP=0 TOTAL=2",
		}},
		{"errors, failures and skips", Summary{Results: results(Error, Skipped, Fail, Pass, Warn)}, []string{
			"Finished in 0.00s.",
			"ERROR node 0 (f0.sql): msg",
			"FAIL node 2 (f2.sql): msg",
			"WARN node 4 (f4.sql): msg",
			"Completed with 2 errors.",
			"Done. PASS=1 WARN=1 ERROR=2 SKIP=1 TOTAL=5",
		}},
		{"sample rows", Summary{Results: []NodeResult{{Status: Fail, Label: "test t", File: "m.yml", Message: "2 failing rows",
			Sample: []string{"id | n", "1 | 2"}}}}, []string{
			"Finished in 0.00s.",
			"FAIL test t (m.yml): 2 failing rows",
			"    id | n",
			"    1 | 2",
			"Completed with 1 error.",
			"Done. PASS=0 WARN=0 ERROR=1 SKIP=0 TOTAL=1",
		}},
		{"run-level error", Summary{Results: results(Success), Err: errors.New("outputs not published")}, []string{
			"Finished in 0.00s.",
			"ERROR outputs not published",
			"Completed with 1 error.",
			"Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1",
		}},
		{"empty run", Summary{}, []string{
			"Finished in 0.00s.",
			"Completed successfully.",
			"Done. PASS=0 WARN=0 ERROR=0 SKIP=0 TOTAL=0",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, b := newText()
			rep.Finish(tc.s)
			var want []string
			for _, w := range tc.want {
				want = append(want, "12:34:56  "+w)
			}
			if got := lines(b); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestTextConcurrent: lines from several goroutines never interleave.
func TestTextConcurrent(t *testing.T) {
	rep, b := newText()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep.NodeDone(i+1, 20, NodeResult{Status: Success, Label: "model m", Message: "CREATE VIEW"})
			rep.Info("info line")
		}()
	}
	wg.Wait()
	got := lines(b)
	if len(got) != 40 {
		t.Fatalf("%d lines", len(got))
	}
	for _, l := range got {
		if !strings.HasPrefix(l, "12:34:56  ") || !(strings.HasSuffix(l, "[CREATE VIEW in 0.00s]") || strings.HasSuffix(l, "info line")) {
			t.Errorf("garbled line %q", l)
		}
	}
}

func TestCount(t *testing.T) {
	cases := []struct {
		statuses []string
		want     Tally
	}{
		{nil, Tally{}},
		{[]string{Success, Pass}, Tally{Pass: 2, Total: 2}},
		{[]string{Error, Fail, Warn, Skipped, "unknown"}, Tally{Warn: 1, Error: 2, Skip: 1, Total: 5}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.statuses, ","), func(t *testing.T) {
			var rs []NodeResult
			for _, s := range tc.statuses {
				rs = append(rs, NodeResult{Status: s})
			}
			if got := Count(rs); got != tc.want {
				t.Errorf("Count = %+v, want %+v", got, tc.want)
			}
		})
	}
}
