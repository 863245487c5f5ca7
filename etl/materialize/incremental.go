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
	kept := fmt.Sprintf("SELECT * FROM %s", stage)
	if req.Config.HasRejects() {
		if err := needReason(ctx, req.Conn, stage); err != nil {
			return res, err
		}
		reason := warehouse.QuoteIdent(RejectReason)
		kept = fmt.Sprintf("SELECT * EXCLUDE (%s) FROM %s WHERE %s IS NULL", reason, stage, reason)
	}
	replaces := req.Config.Strategy() == project.DeleteInsert
	deleted := warehouse.QuoteIdent("__etl_deleted_" + req.Relation.Schema + "_" + req.Relation.Name)
	if replaces {
		defer req.Conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+deleted)
	}
	rejected := int64(0)
	err = InTx(ctx, req.Conn, func() error {
		logged, err := changeLog(ctx, req.Conn, req.Relation, stage)
		if err != nil {
			return err
		}
		if replaces {
			if err := deleteReplaced(ctx, req, stage, deleted, logged); err != nil {
				return err
			}
		}
		if !req.Config.HasRejects() {
			if _, err := req.Conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s BY NAME %s", req.Relation, kept)); err != nil {
				return err
			}
		} else {
			before, err := count(ctx, req.Conn, RejectsRelation(req.Relation).String())
			if err != nil {
				return err
			}
			if _, err := req.Conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s BY NAME %s", req.Relation, kept)); err != nil {
				return err
			}
			if err := splitRejects(ctx, req, stage, RejectsRelation(req.Relation).String(), "INSERT INTO %s BY NAME %s"); err != nil {
				return err
			}
			after, err := count(ctx, req.Conn, RejectsRelation(req.Relation).String())
			if err != nil {
				return err
			}
			rejected = after - before
		}
		if logged {
			if _, err := req.Conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s BY NAME %s", ChangesRelation(req.Relation), kept)); err != nil {
				return err
			}
		}
		return req.commit(ctx)
	})
	if err != nil {
		return res, err
	}
	// The run's tests and the batch models downstream read the batch: the
	// rows added, not the whole table. It is written once the rows are
	// committed, in memory (a transaction writes to one catalog only).
	if _, err := req.Conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS %s", BatchRelation(req.Relation), kept)); err != nil {
		return res, fmt.Errorf("batch of %s: %w", req.Relation, err)
	}
	if replaces {
		if _, err := req.Conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT * FROM %s", DeletedRelation(req.Relation), deleted)); err != nil {
			return res, fmt.Errorf("deleted rows of %s: %w", req.Relation, err)
		}
		res.Deleted = true
	}
	staged, err := count(ctx, req.Conn, stage)
	res.Rows, res.Rejected = staged-rejected, rejected
	res.Message = fmt.Sprintf("INSERT %d", res.Rows)
	res.Batch = true
	return res, err
}

// deleteReplaced deletes the rows of the target that the new rows (and
// req.Keys) replace, keeping them aside in deleted (a temporary table may be
// written in the same transaction): their keys tell the batch models
// downstream what changed, and the change log their files. The rows are
// found on the key columns alone and then read and deleted by rowid, stable
// within the transaction: matching every column of a large table to keep a
// few rows would read all of it, twice.
func deleteReplaced(ctx context.Context, req Request, stage, deleted string, logged bool) error {
	ids := warehouse.QuoteIdent("__etl_ids_" + req.Relation.Schema + "_" + req.Relation.Name)
	defer req.Conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+ids)
	stmts := []string{
		fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT t.rowid AS id FROM %s AS t WHERE %s", ids, req.Relation, replacedBy(req, stage)),
		fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT * FROM %s WHERE rowid IN (SELECT id FROM %s)", deleted, req.Relation, ids),
	}
	if logged {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO %s BY NAME SELECT * FROM %s", ChangesRelation(req.Relation), deleted))
	}
	stmts = append(stmts, fmt.Sprintf("DELETE FROM %s WHERE rowid IN (SELECT id FROM %s)", req.Relation, ids))
	for _, stmt := range stmts {
		if _, err := req.Conn.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// replacedBy is the condition on the target's rows (alias t) that the new
// rows replace, with those of req.Keys. Keys match with IS NOT DISTINCT
// FROM so a NULL key part still matches. A rejected new row replaces
// nothing: the last good version of its key stays.
func replacedBy(req Request, stage string) string {
	keys := make([]string, len(req.Config.UniqueKey))
	var conds []string
	for i, k := range req.Config.UniqueKey {
		q := warehouse.QuoteIdent(k)
		keys[i] = q
		conds = append(conds, fmt.Sprintf("t.%s IS NOT DISTINCT FROM s.%s", q, q))
	}
	from := stage
	if req.Config.HasRejects() {
		from = fmt.Sprintf("(SELECT * FROM %s WHERE %s IS NULL)", stage, warehouse.QuoteIdent(RejectReason))
	}
	if req.Keys != "" {
		cols := strings.Join(keys, ", ")
		from = fmt.Sprintf("(SELECT %s FROM %s UNION SELECT %s FROM %s)", cols, from, cols, req.Keys)
	}
	return fmt.Sprintf("EXISTS (SELECT 1 FROM %s AS s WHERE %s)", from, strings.Join(conds, " AND "))
}
