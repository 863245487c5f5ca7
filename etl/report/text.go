package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// Text writes dbt-style console lines.
type Text struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

// NewText returns a console reporter writing to w.
func NewText(w io.Writer) *Text { return &Text{w: w, now: time.Now} }

func (t *Text) line(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "%s  %s\n", t.now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// Start prints what is about to run.
func (t *Text) Start(r Run) {
	t.line("Running etl %s on project %s (run %s)", r.Command, r.Project, r.ID)
	kinds := make([]string, 0, len(r.Counts))
	for k := range r.Counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var parts []string
	for _, k := range kinds {
		parts = append(parts, plural(r.Counts[k], k))
		if k == "delivery" && r.Counts[k] != 1 {
			parts[len(parts)-1] = fmt.Sprintf("%d deliveries", r.Counts[k])
		}
	}
	if len(parts) > 0 {
		t.line("Found %s", strings.Join(parts, ", "))
	}
}

// Info prints a message.
func (t *Text) Info(msg string) { t.line("%s", msg) }

// NodeStart prints nothing: a log holds a line per finished node.
func (t *Text) NodeStart(NodeResult) {}

// NodeProgress prints nothing, for the same reason.
func (t *Text) NodeProgress(string, Progress) {}

// NodeDone prints one finished node.
func (t *Text) NodeDone(index, total int, r NodeResult) {
	width := len(fmt.Sprint(total))
	head := fmt.Sprintf("%*d of %d %s %s ", width, index, total, strings.ToUpper(statusWord(r.Status)), r.Label)
	if pad := 64 - len(head); pad > 0 {
		head += strings.Repeat(".", pad)
	}
	t.line("%s [%s]", head, detail(r))
}

func statusWord(s string) string {
	switch s {
	case Success:
		return "OK"
	case Skipped:
		return "SKIP"
	}
	return s
}

func detail(r NodeResult) string {
	secs := fmt.Sprintf("in %.2fs", r.ExecutionTime.Seconds())
	switch r.Status {
	case Skipped:
		return "SKIP"
	case Error:
		return "ERROR " + secs
	case Pass:
		if r.Message != "" {
			return "PASS, " + r.Message + " " + secs
		}
		return "PASS " + secs
	case Fail, Warn:
		return fmt.Sprintf("%s %d %s", strings.ToUpper(r.Status), r.Failures, secs)
	}
	if r.Message != "" {
		return r.Message + " " + secs
	}
	return secs
}

// Finish prints problems and the closing tally.
func (t *Text) Finish(s Summary) {
	t.line("Finished in %.2fs.", s.Elapsed.Seconds())
	var problems []NodeResult
	for _, r := range s.Results {
		if r.Status == Error || r.Status == Fail || r.Status == Warn {
			problems = append(problems, r)
		}
	}
	for _, r := range problems {
		t.line("%s %s (%s): %s", strings.ToUpper(statusWord(r.Status)), r.Label, r.File, r.Message)
		for _, row := range r.Sample {
			t.line("    %s", row)
		}
	}
	if s.Err != nil {
		t.line("ERROR %v", s.Err)
	}
	if s.Deliveries != nil {
		t.Deliveries(s.Deliveries)
	}
	c := Count(s.Results)
	errs := c.Error
	if s.Err != nil {
		errs++
	}
	switch {
	case errs > 0:
		t.line("Completed with %s.", plural(errs, "error"))
	case c.Warn > 0:
		t.line("Completed with %s.", plural(c.Warn, "warning"))
	case s.Deliveries != nil && s.Deliveries.Status != "ok":
		t.line("Completed; %s did not go out (see above).", plural(len(s.Deliveries.Errors)+s.Deliveries.Unconfirmed, "message"))
	default:
		t.line("Completed successfully.")
	}
	t.line("Done. PASS=%d WARN=%d ERROR=%d SKIP=%d TOTAL=%d", c.Pass, c.Warn, c.Error, c.Skip, c.Total)
}

// Deliveries prints what a run (or etl deliveries send) sent, and every
// send that failed.
func (t *Text) Deliveries(d *Deliveries) {
	quiet := d.Queued+d.Sent+d.Retrying+d.Failed+d.Cancelled+d.Waiting+d.Unconfirmed == 0 && len(d.Errors) == 0
	if len(d.NotConfigured) > 0 && quiet {
		t.line("Deliveries are not configured (%s): nothing was queued or sent.", strings.Join(d.NotConfigured, "; "))
		return
	}
	if len(d.NotConfigured) > 0 {
		t.line("Channels not configured: %s.", strings.Join(d.NotConfigured, "; "))
	}
	if d.Held {
		t.line("Deliveries: %d queued, none sent (--no-send): etl deliveries lists them, send sends them, cancel drops them.", d.Queued)
		return
	}
	parts := []string{fmt.Sprintf("%d queued", d.Queued), fmt.Sprintf("%d sent", d.Sent)}
	for _, p := range []struct {
		n    int
		what string
	}{
		{d.Retrying, "retrying"}, {d.Failed, "failed for good"}, {d.Cancelled, "cancelled (their rows are gone)"},
		{d.Waiting, "waiting for an unconfigured channel"},
		{d.Unconfirmed, "unconfirmed (a run died while sending them; etl deliveries lists them)"},
	} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	t.line("Deliveries: %s.", strings.Join(parts, ", "))
	word := "WARN"
	if d.Status == "error" {
		word = "ERROR"
	}
	for _, e := range d.Errors {
		t.line("%s delivery %s", word, e)
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
