// Package runner executes a compiled plan against the warehouse: seeds,
// models, data tests and exports in graph order, a bounded number at a time,
// skipping only what depends on a failure. Outputs are staged and published
// only when the whole run succeeded, so a failed run leaves the previous
// outputs untouched.
package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"etlrunner/etl/dag"
	"etlrunner/etl/deliver"
	"etlrunner/etl/export"
	"etlrunner/etl/plan"
	"etlrunner/etl/project"
	"etlrunner/etl/report"
	"etlrunner/etl/warehouse"
)

// Options of one run.
type Options struct {
	Command     string             // build, run, seed or test
	Dir         string             // project directory
	Kinds       map[plan.Kind]bool // which kinds of node run
	Selected    map[string]bool    // node IDs chosen by --select/--exclude
	Threads     int
	FullRefresh bool
	Export      bool // write outputs (build)
	Reporter    report.Reporter
	Logger      *slog.Logger
	Args        map[string]any // recorded in run_results.json
	// Leftovers are what the caller removed of dead runs before opening
	// the warehouse (DuckDB's spill files); the run reports them with its own.
	Leftovers []warehouse.Leftover
	// Channels are the project's rendered delivery channels (Channels).
	Channels map[string]deliver.Channel
	// NoSend queues deliveries' messages without sending them (etl
	// deliveries send sends them later).
	NoSend bool
}

// Outcome of a run.
type Outcome struct {
	RunID   string
	Results []report.NodeResult
	// Failed is true when any node errored or a test failed.
	Failed bool
	// DeliveriesFailed is true when sends failed and the project's
	// deliveries say on_failure: error.
	DeliveriesFailed bool
}

type runner struct {
	pl        *plan.Plan
	wh        *warehouse.Warehouse
	opts      Options
	runID     string
	graph     *dag.Graph
	stage     string
	mu        sync.Mutex
	results   map[string]report.NodeResult
	staged    map[string][]stagedFile
	exports   map[string]string // export id -> fingerprint, recorded once published
	state     *state
	builds    map[string]string // model id -> builtFull or builtBatch
	changes   map[string]change // seed or model id -> what this run did to its rows
	logged    []string          // models whose change logs restart once published
	exportCfg map[string]string // export id -> hash of its config, recorded once published
	done      int
	// deliveries are the delivery nodes of this run; channels the project's.
	deliveries        map[string]*plan.Delivery
	channels          map[string]deliver.Channel
	queued, cancelled int
}

// ExportNode is the kind of the extra nodes that write a model's outputs.
const ExportNode plan.Kind = "export"

// Execute runs the selected part of the plan.
func Execute(ctx context.Context, pl *plan.Plan, wh *warehouse.Warehouse, opts Options) (*Outcome, error) {
	r := &runner{pl: pl, wh: wh, opts: opts, runID: newRunID(), results: map[string]report.NodeResult{},
		staged: map[string][]stagedFile{}, exports: map[string]string{}, builds: map[string]string{}, changes: map[string]change{}, exportCfg: map[string]string{},
		deliveries: map[string]*plan.Delivery{}, channels: opts.Channels}
	r.stage = filepath.Join(r.outputDir(), export.StagingPrefix+r.runID)
	r.graph = r.executionGraph()
	started := time.Now()
	info := report.Run{ID: r.runID, Command: opts.Command, Project: pl.Project.Name, StartedAt: started, Counts: r.counts()}
	opts.Reporter.Start(info)
	if err := r.sweepLeftovers(); err != nil {
		return nil, err
	}
	if err := r.recordStart(ctx, started); err != nil {
		return nil, err
	}
	if err := r.createSchemas(ctx); err != nil {
		return nil, err
	}
	if err := r.loadState(ctx); err != nil {
		return nil, err
	}
	outcomes := r.graph.Walk(ctx, opts.Threads, r.visit)
	r.collectSkips(ctx, outcomes)
	r.dropBatches(context.WithoutCancel(ctx))
	// A cancelled run is a failed run, even when the signal came between
	// nodes: nothing it staged is published.
	out := &Outcome{RunID: r.runID, Results: r.sortedResults(), Failed: ctx.Err() != nil}
	for _, res := range out.Results {
		if res.Status == report.Error || res.Status == report.Fail {
			out.Failed = true
		}
	}
	var runErr error
	if opts.Export {
		runErr = r.finishOutputs(ctx, out.Failed)
	}
	if err := r.saveState(context.WithoutCancel(ctx)); err != nil && runErr == nil {
		runErr = err
	}
	var dl *report.Deliveries
	switch {
	case !opts.Export:
	case !out.Failed && runErr == nil && opts.NoSend:
		if dl = r.deliveryReport(); dl != nil {
			dl.Status, dl.Held = "ok", true
		}
	case !out.Failed && runErr == nil:
		dl = r.sendPass(ctx)
	case ctx.Err() == nil:
		dl = r.failureNotice(context.WithoutCancel(ctx), out.Results, runErr)
	}
	out.DeliveriesFailed = dl != nil && dl.Status == "error"
	summary := report.Summary{Elapsed: time.Since(started), Results: out.Results, Err: runErr, Deliveries: dl}
	opts.Reporter.Finish(summary)
	if err := r.writeArtifacts(info, summary); err != nil && runErr == nil {
		runErr = err
	}
	status := "success"
	if out.Failed || runErr != nil {
		status = "error"
		out.Failed = true
	}
	if err := r.recordFinish(context.WithoutCancel(ctx), status); err != nil && runErr == nil {
		runErr = err
	}
	return out, runErr
}

func newRunID() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

func (r *runner) outputDir() string         { return r.path(r.pl.Project.OutputDir) }
func (r *runner) targetDir() string         { return r.path(r.pl.Project.TargetDir) }
func (r *runner) node(id string) *plan.Node { return r.pl.Nodes[id] }

func (r *runner) path(p string) string { return project.Resolve(r.opts.Dir, p) }

// counts tallies the nodes that will run, by kind, for the opening line.
func (r *runner) counts() map[string]int {
	c := map[string]int{}
	for _, id := range r.graph.Nodes() {
		c[string(r.kindOf(id))]++
	}
	return c
}

func (r *runner) kindOf(id string) plan.Kind {
	if n := r.node(id); n != nil {
		return n.Kind
	}
	if r.deliveries[id] != nil {
		return DeliveryNode
	}
	return ExportNode
}

func (r *runner) createSchemas(ctx context.Context) error {
	layers := map[string]bool{}
	for _, n := range r.pl.ByKind(plan.ModelNode) {
		layers[n.Relation.Schema] = true
	}
	names := make([]string, 0, len(layers))
	for l := range layers {
		names = append(names, l)
	}
	sort.Strings(names)
	for _, l := range names {
		if _, err := r.wh.DB.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+warehouse.QuoteIdent(l)); err != nil {
			return fmt.Errorf("create schema %s: %w", l, err)
		}
	}
	return nil
}

// record stores a node's result and reports it.
func (r *runner) record(res report.NodeResult) {
	r.mu.Lock()
	r.results[res.UniqueID] = res
	r.done++
	index := r.done
	r.mu.Unlock()
	r.opts.Reporter.NodeDone(index, len(r.graph.Nodes()), res)
}

func (r *runner) sortedResults() []report.NodeResult {
	order, _ := r.graph.Order()
	out := make([]report.NodeResult, 0, len(order))
	for _, id := range order {
		if res, ok := r.results[id]; ok {
			out = append(out, res)
		}
	}
	return out
}

// collectSkips reports every node the walk skipped or never started.
func (r *runner) collectSkips(ctx context.Context, outcomes map[string]dag.Outcome) {
	order, _ := r.graph.Order()
	for _, id := range order {
		if _, seen := r.results[id]; seen {
			continue
		}
		o := outcomes[id]
		res := r.blank(id)
		res.Status = report.Skipped
		switch {
		case o.Cause != "":
			res.Message = "skipped because " + r.labelOf(o.Cause) + " failed"
		case o.Err != nil && ctx.Err() != nil:
			res.Message = "not started: the run was cancelled"
		case o.Err != nil:
			res.Status, res.Message = report.Error, oneLine(o.Err)
		}
		r.record(res)
	}
}
