package runner

import (
	"context"
	"database/sql"
	"fmt"

	"etlrunner/etl/datatest"
	"etlrunner/etl/ingest"
	"etlrunner/etl/materialize"
	"etlrunner/etl/plan"
	"etlrunner/etl/project"
	"etlrunner/etl/report"
	"etlrunner/etl/warehouse"
)

func (r *runner) runSeed(ctx context.Context, n *plan.Node, res *report.NodeResult) error {
	s := n.Seed
	// The first of the seed's paths that matches a file is tonight's landing.
	i, _, err := ingest.FirstMatch(r.opts.Dir, n.Patterns)
	if err != nil {
		return fmt.Errorf("seed %s: %w", s.Name, err)
	}
	got, err := ingest.Load(ctx, r.wh.DB, ingest.Seed{
		Name: s.Name, Pattern: n.Patterns[i], Format: ingest.Format(s.Formats[i]), Encoding: s.Encoding, Schema: s.Schema(), Table: s.TableName(),
		SQLiteTable: s.SQLiteTable, SQLiteQuery: s.SQLiteQuery,
	}, ingest.Options{Dir: r.opts.Dir, RunID: r.runID, FullRefresh: r.opts.FullRefresh, Logger: r.opts.Logger,
		Progress: func(p ingest.Progress) {
			r.opts.Reporter.NodeProgress(n.ID, report.Progress{Files: p.Files, TotalFiles: p.TotalFiles, Bytes: p.Bytes, TotalBytes: p.TotalBytes})
		}})
	if err != nil {
		return err
	}
	res.Rows = got.RowsLoaded
	res.Message = fmt.Sprintf("%d loaded, %d unchanged", got.FilesLoaded, got.FilesUnchanged)
	if got.FilesRemoved > 0 {
		res.Message += fmt.Sprintf(", %d removed", got.FilesRemoved)
	}
	res.Message += fmt.Sprintf(" files, %d rows", got.RowsLoaded)
	return nil
}

func (r *runner) runModel(ctx context.Context, n *plan.Node, res *report.NodeResult) error {
	fp, err := r.fingerprint(ctx, n.ID, n.SQL, n.Config)
	if err != nil {
		return err
	}
	if r.upToDate(n.ID, fp) && r.modelExists(n) {
		r.reuse(n.ID, fp)
		res.Message = "up to date"
		return nil
	}
	conn, err := r.wh.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	r.state.mu.Lock()
	prev := r.state.saved[n.ID]
	r.state.mu.Unlock()
	got, b, err := r.materialize(ctx, conn, n, fp)
	res.CompiledSQL = got.SQL
	r.built(n.ID, fp, err == nil)
	if err != nil {
		if n.Config.Batch != "" {
			r.built(batchID(n.ID), "", false)
		}
		return err // the result names the model and its file
	}
	c, err := modelChange(ctx, conn, n, prev, got)
	if err != nil {
		return fmt.Errorf("changes of %s: %w", n.Name, err)
	}
	r.noteChange(n.ID, c)
	r.noteBuild(n.ID, got.Batch)
	if b.rebuild != "" {
		got.Message += " (rebuilt: " + b.rebuild + ")"
	}
	res.Rows, res.Rejected = got.Rows, got.Rejected
	switch {
	case n.Config.Materialized == project.View:
		res.Message = got.Message
	case n.Config.HasRejects():
		res.Message = fmt.Sprintf("%s, %d rows, %d rejected", got.Message, got.Rows, got.Rejected)
	default:
		res.Message = fmt.Sprintf("%s, %d rows", got.Message, got.Rows)
	}
	return nil
}

// materialize builds model n: in full, or with batch config from the
// batch its inputs hold in this run. What the model holds after the build
// (its fingerprint fp, and what a batch model consumed) is written in the
// same transaction as its rows, so a run killed at any point leaves each
// model and its record in step: the next run never takes rows a model
// already has for new, nor the reverse.
func (r *runner) materialize(ctx context.Context, conn *sql.Conn, n *plan.Node, fp string) (materialize.Result, batch, error) {
	var b batch
	if n.Config.Batch != "" && !r.opts.FullRefresh && r.modelExists(n) {
		var err error
		if b, err = r.planBatch(ctx, conn, n); err != nil {
			return materialize.Result{}, b, fmt.Errorf("plan the batch of %s: %w", n.Name, err)
		}
		defer b.drop(context.WithoutCancel(ctx), conn)
	}
	record := map[string]string{n.ID: fp}
	if n.Config.Batch != "" {
		st, err := r.batchStateOf(ctx, n)
		if err != nil {
			return materialize.Result{}, b, fmt.Errorf("batch state of %s: %w", n.Name, err)
		}
		record[batchID(n.ID)] = st
	}
	commit := func(ctx context.Context, q warehouse.Querier) error { return writeState(ctx, q, record, r.runID) }
	// A view's batch is complete once its change log has it: it records
	// itself there (viewBatch).
	viewBatch := n.Config.Batch != "" && n.Config.Materialized == project.View
	req := materialize.Request{
		Conn: conn, Relation: n.Relation, Config: n.Config, Source: n.Source,
		FullRefresh: r.opts.FullRefresh || b.rebuild != "", Keys: b.keys, Commit: commit,
		Render: func(incremental bool) (string, error) {
			if !incremental {
				return n.SQL, nil // compiled once, with the same vars
			}
			return r.pl.RenderWith(ctx, n, true, b.inputs)
		},
	}
	if viewBatch {
		req.Commit = nil
	}
	got, err := materialize.Run(ctx, req)
	if err == nil && viewBatch {
		got, err = r.viewBatch(ctx, conn, n, b, got, commit)
	}
	if err == nil && n.Config.Batch != "" {
		r.built(batchID(n.ID), record[batchID(n.ID)], true)
	}
	return got, b, err
}

func (r *runner) runTest(ctx context.Context, n *plan.Node, res *report.NodeResult) error {
	tq, err := r.testQuery(ctx, n)
	if err != nil {
		return err
	}
	query := tq.sql
	res.CompiledSQL = query
	fp, err := r.fingerprint(ctx, n.ID, query, n.Test)
	if err != nil {
		return err
	}
	// `etl test` asks for the tests themselves: only a run that also builds
	// models reuses a pass whose inputs have not changed.
	if r.opts.Kinds[plan.ModelNode] && r.upToDate(n.ID, fp) {
		r.reuse(n.ID, fp)
		if tq.scopeID != "" {
			r.passedOn(tq.scopeID, tq.mark) // the rows it passed on are the rows there now
		}
		res.Status, res.Message = report.Pass, "up to date"
		return nil
	}
	got, err := datatest.Run(ctx, r.wh.DB, query)
	// Only a pass is remembered: a warning or failure shows again next run,
	// on the whole table.
	passed := err == nil && got.Failures == 0
	r.built(n.ID, fp, passed)
	if tq.scopeID != "" {
		r.built(tq.scopeID, tq.mark, passed)
	}
	if err != nil {
		return err
	}
	res.Failures, res.Sample = got.Failures, got.Sample
	switch {
	case got.Failures == 0:
		res.Status = report.Pass
		if tq.scoped {
			res.Message = "new rows"
		}
		return nil
	case n.Test.Severity == "warn":
		res.Status = report.Warn
		res.Message = fmt.Sprintf("%d failing rows", got.Failures)
		return nil
	}
	res.Status = report.Fail
	res.Message = fmt.Sprintf("%d failing rows", got.Failures)
	return errTestFailed
}

// modelExists reports whether a model's relations are in the warehouse as
// its materialization builds them.
func (r *runner) modelExists(n *plan.Node) bool {
	kind := "table"
	if n.Config.Materialized == project.View {
		kind = "view"
	}
	if !r.hasRelation(n.Relation.Schema, n.Relation.Name, kind) {
		return false
	}
	rej := materialize.RejectsRelation(n.Relation)
	return !n.Config.HasRejects() || r.hasRelation(rej.Schema, rej.Name, "table")
}
