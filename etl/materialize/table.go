package materialize

import (
	"context"
	"fmt"
	"strings"

	"etlrunner/etl/tmpl"
	"etlrunner/etl/warehouse"
)

type table struct{}

// Materialize replaces the table in one transaction, so readers see the old
// table or the new one, never a half-built one.
func (table) Materialize(ctx context.Context, req Request) (res Result, err error) {
	res.SQL, err = req.Render(false)
	if err != nil {
		return res, err
	}
	err = inTx(ctx, req.Conn, func() error {
		// Inside the transaction so a failure keeps the old view.
		if err := dropIfKind(ctx, req.Conn, req.Relation, "view"); err != nil {
			return err
		}
		if !req.Config.HasRejects() {
			_, err := req.Conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS\n%s", req.Relation, res.SQL))
			return err
		}
		stage := stageRelation(req.Relation)
		if _, err := req.Conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS\n%s", stage, res.SQL)); err != nil {
			return err
		}
		defer req.Conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+stage)
		return splitRejects(ctx, req, stage, "CREATE OR REPLACE TABLE %s AS %s")
	})
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

// stageRelation is a connection-local temporary table for a model's rows.
func stageRelation(r tmpl.Relation) string {
	return warehouse.QuoteIdent("__etl_stage_" + r.Schema + "_" + r.Name)
}

// splitRejects writes the staged rows without a reject reason to the model
// and the others to its rejects table. When the rows carry their lineage,
// a rejected row is stored as the landing table had it (every value as the
// file said), which is what someone fixing the input needs to see.
// write is a format with two verbs: target relation and SELECT.
func splitRejects(ctx context.Context, req Request, stage, write string) error {
	cols, err := stagedColumns(ctx, req.Conn, stage)
	if err != nil {
		return err
	}
	if !cols[RejectReason] {
		return fmt.Errorf("rejects: true needs the model to return a %s column", RejectReason)
	}
	reason := warehouse.QuoteIdent(RejectReason)
	kept := fmt.Sprintf("SELECT * EXCLUDE (%s) FROM %s WHERE %s IS NULL", reason, stage, reason)
	rejected := fmt.Sprintf("SELECT * FROM %s WHERE %s IS NOT NULL", stage, reason)
	if cols["_source_file"] && cols["_source_line"] && req.Source != nil {
		rejected = fmt.Sprintf("SELECT src.*, s.%s FROM %s AS s JOIN %s AS src USING (_source_file, _source_line) WHERE s.%s IS NOT NULL",
			reason, stage, req.Source, reason)
	}
	if _, err := req.Conn.ExecContext(ctx, fmt.Sprintf(write, req.Relation, kept)); err != nil {
		return err
	}
	_, err = req.Conn.ExecContext(ctx, fmt.Sprintf(write, RejectsRelation(req.Relation), rejected))
	return err
}

func stagedColumns(ctx context.Context, q warehouse.Querier, stage string) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT column_name FROM (DESCRIBE "+stage+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols[strings.ToLower(c)] = true
	}
	return cols, rows.Err()
}

// inTx runs fn between BEGIN and COMMIT on the connection, rolling back on
// error.
func inTx(ctx context.Context, q warehouse.Querier, fn func() error) error {
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
