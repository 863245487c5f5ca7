// Package materialize turns a model's compiled SELECT into a relation in the
// warehouse. Each materialization is a value in a registry, looked up by the
// name a model's config gives.
package materialize

import (
	"context"
	"fmt"

	"etlrunner/etl/project"
	"etlrunner/etl/tmpl"
	"etlrunner/etl/warehouse"
)

// Request is one model to materialize on one connection.
type Request struct {
	Conn        warehouse.Querier
	Relation    tmpl.Relation
	Config      project.Config
	Source      *tmpl.Relation // the landing table, for rejects
	FullRefresh bool
	// Render compiles the model; incremental tells is_incremental().
	Render func(incremental bool) (string, error)
	// Keys, for an incremental run of a delete+insert model, is a relation
	// of unique_key values whose rows the run replaces besides those its
	// own rows hold (batch: key): a key the query no longer returns loses
	// its rows.
	Keys string
	// Commit, when set, runs last inside the transaction that makes the
	// model's new rows visible: the runner records there what the model
	// now holds, so that a run killed at any moment leaves the model and
	// its record in step. An error rolls the model back.
	Commit func(ctx context.Context, q warehouse.Querier) error
}

// commit runs req.Commit, if any, inside the current transaction.
func (req Request) commit(ctx context.Context) error {
	if req.Commit == nil {
		return nil
	}
	return req.Commit(ctx, req.Conn)
}

// Result says what a materialization did.
type Result struct {
	Rows     int64  // rows in the relation (tables) or rows inserted (incremental)
	Rejected int64  // rows split off into the rejects table
	Message  string // e.g. "CREATE TABLE", "INSERT 12"
	SQL      string // the compiled SQL that ran
	// Batch is true when an incremental run left the rows it added in
	// BatchRelation for this run's tests.
	Batch bool
	// Deleted is true when the run also left the rows it deleted (replaced)
	// in DeletedRelation.
	Deleted bool
}

// Materialization builds one kind of relation.
type Materialization interface {
	Materialize(ctx context.Context, req Request) (Result, error)
}

// Registry maps config names to materializations.
var Registry = map[string]Materialization{
	project.View:        view{},
	project.Table:       table{},
	project.Incremental: incremental{},
}

// Run materializes req with the materialization its config names.
func Run(ctx context.Context, req Request) (Result, error) {
	m, ok := Registry[req.Config.Materialized]
	if !ok {
		return Result{}, fmt.Errorf("unknown materialization %q", req.Config.Materialized)
	}
	return m.Materialize(ctx, req)
}

// RejectsRelation is the table that holds a model's rejected rows.
func RejectsRelation(r tmpl.Relation) tmpl.Relation {
	return tmpl.Relation{Schema: r.Schema, Name: r.Name + "_rejects"}
}

// RejectReason is the column a model sets to reject a row.
const RejectReason = "_reject_reason"

type view struct{}

func (view) Materialize(ctx context.Context, req Request) (Result, error) {
	sql, err := req.Render(false)
	if err != nil {
		return Result{}, err
	}
	// One transaction, so a view that fails to build keeps the old table.
	err = InTx(ctx, req.Conn, func() error {
		if err := dropIfKind(ctx, req.Conn, req.Relation, "table"); err != nil {
			return err
		}
		if _, err := req.Conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE VIEW %s AS\n%s", req.Relation, sql)); err != nil {
			return err
		}
		return req.commit(ctx)
	})
	return Result{Message: "CREATE VIEW", SQL: sql}, err
}

// dropIfKind drops r when it exists as the other kind of relation, so a
// model can change from view to table and back.
func dropIfKind(ctx context.Context, q warehouse.Querier, r tmpl.Relation, kind string) error {
	got, err := warehouse.RelationKind(ctx, q, r.Schema, r.Name)
	if err != nil || got != kind {
		return err
	}
	_, err = q.ExecContext(ctx, fmt.Sprintf("DROP %s %s", map[string]string{"table": "TABLE", "view": "VIEW"}[kind], r))
	return err
}

func count(ctx context.Context, q warehouse.Querier, rel string) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+rel).Scan(&n)
	return n, err
}
