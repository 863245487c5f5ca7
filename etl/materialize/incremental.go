package materialize

import (
	"context"
	"fmt"
	"strings"

	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

type incremental struct{}

// Materialize builds the table in full the first time (or on a full
// refresh); afterwards it renders the model with is_incremental() true and
// appends the new rows, or replaces the rows whose unique_key they share.
func (incremental) Materialize(ctx context.Context, req Request) (Result, error) {
	kind, err := warehouse.RelationKind(ctx, req.Conn, req.Relation.Schema, req.Relation.Name)
	if err != nil {
		return Result{}, err
	}
	if kind != "table" || req.FullRefresh {
		return table{}.Materialize(ctx, req)
	}
	if req.Config.HasRejects() {
		// rejects was turned on after the table was built: nothing to append
		// rejected rows to, so build both from scratch once.
		rejects := RejectsRelation(req.Relation)
		rk, err := warehouse.RelationKind(ctx, req.Conn, rejects.Schema, rejects.Name)
		if err != nil {
			return Result{}, err
		}
		if rk != "table" {
			return table{}.Materialize(ctx, req)
		}
	}
	var res Result
	if res.SQL, err = req.Render(true); err != nil {
		return res, err
	}
	stage := stageRelation(req.Relation)
	if _, err := req.Conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS\n%s", stage, res.SQL)); err != nil {
		return res, err
	}
	defer req.Conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+stage)
	rejected := int64(0)
	err = inTx(ctx, req.Conn, func() error {
		if req.Config.IncrementalStrategy == project.DeleteInsert {
			if err := deleteMatching(ctx, req, stage); err != nil {
				return err
			}
		}
		if req.Config.HasRejects() {
			before, err := count(ctx, req.Conn, RejectsRelation(req.Relation).String())
			if err != nil {
				return err
			}
			if err := splitRejects(ctx, req, stage, "INSERT INTO %s BY NAME %s"); err != nil {
				return err
			}
			after, err := count(ctx, req.Conn, RejectsRelation(req.Relation).String())
			rejected = after - before
			return err
		}
		_, err := req.Conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s BY NAME SELECT * FROM %s", req.Relation, stage))
		return err
	})
	if err != nil {
		return res, err
	}
	staged, err := count(ctx, req.Conn, stage)
	res.Rows, res.Rejected = staged-rejected, rejected
	res.Message = fmt.Sprintf("INSERT %d", res.Rows)
	return res, err
}

// deleteMatching removes the rows of the target that the new rows replace.
// Keys match with IS NOT DISTINCT FROM so a NULL key part still matches. A
// rejected new row replaces nothing: the last good version of its key stays.
func deleteMatching(ctx context.Context, req Request, stage string) error {
	var conds []string
	if req.Config.HasRejects() {
		conds = append(conds, "s."+warehouse.QuoteIdent(RejectReason)+" IS NULL")
	}
	for _, k := range req.Config.UniqueKey {
		q := warehouse.QuoteIdent(k)
		conds = append(conds, fmt.Sprintf("t.%s IS NOT DISTINCT FROM s.%s", q, q))
	}
	_, err := req.Conn.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s AS t WHERE EXISTS (SELECT 1 FROM %s AS s WHERE %s)",
		req.Relation, stage, strings.Join(conds, " AND ")))
	return err
}
