package materialize

import (
	"context"
	"fmt"

	"etlrunner/etl/tmpl"
	"etlrunner/etl/warehouse"
)

type table struct{}

// Materialize replaces the table in one transaction, so readers see the old
// table or the new one, never a half-built one. A full build forgets the
// model's change log: which rows changed is no longer known.
func (table) Materialize(ctx context.Context, req Request) (res Result, err error) {
	res.SQL, err = req.Render(false)
	if err != nil {
		return res, err
	}
	if req.Config.HasRejects() {
		err = buildWithRejects(ctx, req, res.SQL)
	} else {
		err = InTx(ctx, req.Conn, func() error {
			// Inside the transaction so a failure keeps the old view.
			if err := dropIfKind(ctx, req.Conn, req.Relation, "view"); err != nil {
				return err
			}
			if _, err := req.Conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS\n%s", req.Relation, res.SQL)); err != nil {
				return err
			}
			if err := DropChanges(ctx, req.Conn, req.Relation); err != nil {
				return err
			}
			return req.commit(ctx)
		})
	}
	if err != nil {
		return res, err
	}
	res.Message = "CREATE TABLE"
	if res.Rows, err = count(ctx, req.Conn, req.Relation.String()); err != nil {
		return res, err
	}
	if req.Config.HasRejects() {
		res.Rejected, err = count(ctx, req.Conn, RejectsRelation(req.Relation).String())
	}
	return res, err
}

// buildWithRejects writes the model's rows once, into a table beside the
// model, moves the rejected ones to their own table, drops the reason
// column and swaps both tables in: no second copy of the kept rows. Three
// transactions, none of which touches the model until the last: the
// stages are written in the first; the rejected rows leave the stage in
// the second, because a delete from rows written in the same transaction
// makes DuckDB rewrite all of them at commit (15 s of 10M events), and
// DuckDB cannot alter a table it deleted from in the same transaction.
// Until the last commits, the old tables stay in place.
func buildWithRejects(ctx context.Context, req Request, sql string) error {
	stage := tmpl.Relation{Schema: req.Relation.Schema, Name: "__etl_stage_" + req.Relation.Name}
	rejects := RejectsRelation(req.Relation)
	rejStage := tmpl.Relation{Schema: rejects.Schema, Name: "__etl_stage_" + rejects.Name}
	defer func() {
		// Gone after a successful swap; after a failure, nothing else may keep them.
		for _, r := range []tmpl.Relation{stage, rejStage} {
			_, _ = req.Conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+r.String())
		}
	}()
	reason := warehouse.QuoteIdent(RejectReason)
	err := InTx(ctx, req.Conn, func() error {
		if _, err := req.Conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS\n%s", stage, sql)); err != nil {
			return err
		}
		return splitRejects(ctx, req, stage.String(), rejStage.String(), "CREATE OR REPLACE TABLE %s AS %s")
	})
	if err != nil {
		return err
	}
	if _, err := req.Conn.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE %s IS NOT NULL", stage, reason)); err != nil {
		return err
	}
	return InTx(ctx, req.Conn, func() error {
		if err := dropIfKind(ctx, req.Conn, req.Relation, "view"); err != nil {
			return err
		}
		for _, stmt := range []string{
			fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", stage, reason),
			"DROP TABLE IF EXISTS " + req.Relation.String(),
			fmt.Sprintf("ALTER TABLE %s RENAME TO %s", stage, warehouse.QuoteIdent(req.Relation.Name)),
			"DROP TABLE IF EXISTS " + rejects.String(),
			fmt.Sprintf("ALTER TABLE %s RENAME TO %s", rejStage, warehouse.QuoteIdent(rejects.Name)),
		} {
			if _, err := req.Conn.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		if err := DropChanges(ctx, req.Conn, req.Relation); err != nil {
			return err
		}
		return req.commit(ctx)
	})
}

// stageRelation is a connection-local temporary table for a model's rows.
func stageRelation(r tmpl.Relation) string {
	return warehouse.QuoteIdent("__etl_stage_" + r.Schema + "_" + r.Name)
}

// splitRejects writes the rejected rows of stage to rejects (the model's
// rejects table, or a stage of it) and, when kept is set, the others to the
// model. When the rows carry their lineage, a rejected row is stored as the
// landing table had it (every value as the file said), which is what
// someone fixing the input needs to see. write is a format with two verbs:
// target relation and SELECT.
func splitRejects(ctx context.Context, req Request, stage, rejects, write string) error {
	cols, err := warehouse.ColumnSet(ctx, req.Conn, stage)
	if err != nil {
		return err
	}
	if !cols[RejectReason] {
		return errNoReason
	}
	reason := warehouse.QuoteIdent(RejectReason)
	rejected := fmt.Sprintf("SELECT * FROM %s WHERE %s IS NOT NULL", stage, reason)
	if cols["_source_file"] && cols["_source_line"] && req.Source != nil {
		rejected = fmt.Sprintf("SELECT src.*, s.%s FROM %s AS s JOIN %s AS src USING (_source_file, _source_line) WHERE s.%s IS NOT NULL",
			reason, stage, req.Source, reason)
	}
	_, err = req.Conn.ExecContext(ctx, fmt.Sprintf(write, rejects, rejected))
	return err
}

var errNoReason = fmt.Errorf("rejects: true needs the model to return a %s column", RejectReason)

// needReason checks that the staged rows carry the reject reason.
func needReason(ctx context.Context, q warehouse.Querier, stage string) error {
	cols, err := warehouse.ColumnSet(ctx, q, stage)
	if err == nil && !cols[RejectReason] {
		err = errNoReason
	}
	return err
}

// InTx runs fn between BEGIN and COMMIT on the connection, rolling back on
// error.
func InTx(ctx context.Context, q warehouse.Querier, fn func() error) error {
	if _, err := q.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		_, _ = q.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return err
	}
	_, err := q.ExecContext(ctx, "COMMIT")
	return err
}
