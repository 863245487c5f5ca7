// Package report tells people and machines what a run did: a console line
// per node as it finishes, JSON log lines, and the run_results.json and
// manifest.json artifacts.
package report

import (
	"time"
)

// Statuses of a node, as dbt names them.
const (
	Success = "success"
	Error   = "error"
	Skipped = "skipped"
	Pass    = "pass"
	Fail    = "fail"
	Warn    = "warn"
)

// NodeResult is what happened to one node.
type NodeResult struct {
	UniqueID      string
	Name          string
	Kind          string // seed, model, test, export
	Label         string // what the console shows, e.g. "table gold.invoice_averages"
	File          string
	Status        string
	Message       string
	Rows          int64
	Rejected      int64
	Failures      int64
	Sample        []string
	StartedAt     time.Time
	ExecutionTime time.Duration
	CompiledSQL   string
}

// Run describes the invocation.
type Run struct {
	ID        string
	Command   string
	Project   string
	StartedAt time.Time
	Counts    map[string]int // kind -> nodes selected
}

// Summary closes a run.
type Summary struct {
	Elapsed time.Duration
	Results []NodeResult
	// Err is a run-level failure outside any node (e.g. publishing outputs).
	Err error
	// Deliveries says what the run sent, when the project has deliveries.
	Deliveries *Deliveries
}

// Deliveries is what a run did with the project's messages.
type Deliveries struct {
	// Status is ok, warn (a send failed or is unconfirmed) or error (a send
	// failed and the project's deliveries say on_failure: error).
	Status      string   `json:"status"`
	Queued      int      `json:"queued"`
	Cancelled   int      `json:"cancelled"`
	Sent        int      `json:"sent"`
	Retrying    int      `json:"retrying"`
	Failed      int      `json:"failed"`
	Unconfirmed int      `json:"unconfirmed"`
	Waiting     int      `json:"waiting"`
	Errors      []string `json:"errors"`
	// NotConfigured names the channels without settings, and why.
	NotConfigured []string `json:"not_configured"`
	// Held: the run queued without sending (--no-send).
	Held bool `json:"held,omitempty"`
}

// Progress is how far a running seed's load has come, in whole files.
type Progress struct {
	Files, TotalFiles int   // files loaded so far, of those the load reads
	Bytes, TotalBytes int64 // their sizes on disk
}

// Reporter receives the events of a run. Implementations are safe for use
// by several goroutines.
type Reporter interface {
	Start(r Run)
	Info(msg string)
	// NodeStart says a node began; r holds its identity and StartedAt.
	// A node the run skips ends without starting.
	NodeStart(r NodeResult)
	// NodeProgress says how far a running seed has come.
	NodeProgress(id string, p Progress)
	NodeDone(index, total int, r NodeResult)
	Finish(s Summary)
}

// Tally counts results by outcome for the closing line.
type Tally struct{ Pass, Warn, Error, Skip, Total int }

// Count tallies results.
func Count(results []NodeResult) Tally {
	var t Tally
	for _, r := range results {
		t.Total++
		switch r.Status {
		case Success, Pass:
			t.Pass++
		case Warn:
			t.Warn++
		case Error, Fail:
			t.Error++
		case Skipped:
			t.Skip++
		}
	}
	return t
}
