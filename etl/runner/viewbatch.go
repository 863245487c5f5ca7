package runner

import (
	"context"
	"fmt"

	"etlrunner/etl/materialize"
	"etlrunner/etl/plan"
	"etlrunner/etl/tmpl"
	"etlrunner/etl/warehouse"
)

// viewBatch gives a view with batch: load what an incremental table has
// after a run: the view's query over its input's added rows and over its
// removed rows, as the batch and the deleted rows of this run, for its
// tests and the models that read it, and in its change log, for its
// partitioned exports. A view stores nothing, so a full build costs
// nothing; its tests and exports still work batch by batch.
// commit records the view's state in the transaction that completes its
// change log.
func (r *runner) viewBatch(ctx context.Context, conn warehouse.Querier, n *plan.Node, b batch, got materialize.Result,
	commit func(context.Context, warehouse.Querier) error) (materialize.Result, error) {
	var input tmpl.Relation
	var c change
	for rel, ch := range b.changed { // batch: load takes at most one
		input, c = rel, ch
	}
	if b.rebuild != "" || len(b.changed) != 1 || c.full {
		// Everything the view shows may have changed.
		return got, materialize.InTx(ctx, conn, func() error {
			if err := materialize.DropChanges(ctx, conn, n.Relation); err != nil {
				return err
			}
			return commit(ctx, conn)
		})
	}
	write := func(target tmpl.Relation, rows string) (bool, error) {
		if rows == "" {
			return false, nil
		}
		v := tmpl.Relation{Schema: "temp", Name: "__etl_view_rows_" + n.Relation.Schema + "_" + n.Relation.Name}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS %s", warehouse.QuoteIdent(v.Name), rows)); err != nil {
			return false, err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS "+v.String())
		sql, err := r.pl.RenderWith(ctx, n, true, map[tmpl.Relation]tmpl.Relation{input: v})
		if err != nil {
			return false, err
		}
		_, err = conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS %s", target, sql))
		return true, err
	}
	var err error
	if got.Batch, err = write(materialize.BatchRelation(n.Relation), c.inserted); err != nil {
		return got, fmt.Errorf("batch of %s: %w", n.Name, err)
	}
	if got.Deleted, err = write(materialize.DeletedRelation(n.Relation), c.deleted); err != nil {
		return got, fmt.Errorf("deleted rows of %s: %w", n.Name, err)
	}
	err = materialize.InTx(ctx, conn, func() error {
		if got.Batch {
			if err := r.logViewChanges(ctx, conn, n, got.Deleted); err != nil {
				return err
			}
		}
		return commit(ctx, conn)
	})
	if err != nil || !got.Batch {
		return got, err
	}
	if got.Rows, err = countOf(ctx, conn, materialize.BatchRelation(n.Relation)); err != nil {
		return got, err
	}
	got.Message = fmt.Sprintf("CREATE VIEW, %d new rows", got.Rows)
	return got, nil
}

// logViewChanges adds the rows a view lost and gained to its change log,
// when it keeps one (its outputs were published since it last changed
// wholesale).
func (r *runner) logViewChanges(ctx context.Context, conn warehouse.Querier, n *plan.Node, deleted bool) error {
	log := materialize.ChangesRelation(n.Relation)
	kind, err := warehouse.RelationKind(ctx, conn, log.Schema, log.Name)
	if err != nil || kind != "table" {
		return err
	}
	rels := []tmpl.Relation{materialize.BatchRelation(n.Relation)}
	if deleted {
		rels = append(rels, materialize.DeletedRelation(n.Relation))
	}
	for _, rel := range rels {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s BY NAME SELECT * FROM %s", log, rel)); err != nil {
			return fmt.Errorf("change log of %s: %w", n.Name, err)
		}
	}
	return nil
}

func countOf(ctx context.Context, q warehouse.Querier, rel tmpl.Relation) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+rel.String()).Scan(&n)
	return n, err
}
