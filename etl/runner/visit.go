package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"etlrunner/etl/plan"
	"etlrunner/etl/report"
)

// errTestFailed marks a failing test so the walk skips its dependents; the
// result itself says "fail", not "error".
var errTestFailed = errors.New("test failed")

// visit runs one node and records its result.
func (r *runner) visit(ctx context.Context, id string) error {
	res := r.blank(id)
	res.StartedAt = time.Now()
	r.opts.Reporter.NodeStart(res)
	var err error
	switch r.kindOf(id) {
	case plan.SeedNode:
		err = r.runSeed(ctx, r.node(id), &res)
	case plan.ModelNode:
		err = r.runModel(ctx, r.node(id), &res)
	case plan.TestNode:
		err = r.runTest(ctx, r.node(id), &res)
	case ExportNode:
		err = r.runExport(ctx, r.node(modelOfExport(id)), &res)
	case DeliveryNode:
		err = r.runDelivery(ctx, r.deliveries[id], &res)
	}
	res.ExecutionTime = time.Since(res.StartedAt)
	switch {
	case errors.Is(err, errTestFailed):
	case err != nil && ctx.Err() != nil:
		res.Status, res.Message = report.Error, "interrupted: the run was cancelled"
	case err != nil:
		res.Status, res.Message = report.Error, oneLine(err)
	case res.Status == "":
		res.Status = report.Success
	}
	r.record(res)
	return err
}

// blank is a result with the node's identity filled in.
func (r *runner) blank(id string) report.NodeResult {
	res := report.NodeResult{UniqueID: id, Kind: string(r.kindOf(id)), Label: r.labelOf(id)}
	if n := r.node(id); n != nil {
		res.Name, res.File = n.Name, n.File
	} else if d := r.deliveries[id]; d != nil {
		res.Name, res.File = d.Outbox(), d.File
	} else {
		m := r.node(modelOfExport(id))
		res.Name, res.File = m.Name, m.File
	}
	return res
}

// labelOf is how the console names a node.
func (r *runner) labelOf(id string) string {
	n := r.node(id)
	if d := r.deliveries[id]; d != nil {
		return "delivery " + d.Outbox() + " -> " + d.Channel
	}
	if n == nil {
		return "export " + r.node(modelOfExport(id)).Name
	}
	switch n.Kind {
	case plan.SeedNode:
		return "seed " + n.Seed.Table
	case plan.ModelNode:
		return fmt.Sprintf("%s model %s.%s", n.Config.Materialized, n.Relation.Schema, n.Relation.Name)
	}
	return "test " + n.Name
}

// oneLine folds a multi-line error (DuckDB's carets and hints) into one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
