package materialize

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"etlrunner/etl/tmpl"
	"etlrunner/etl/warehouse"
)

// ChangesSchema, created by a migration, holds for a model whose outputs
// are partitioned every row inserted or replaced since the outputs were
// last published. A missing table means "not known": the next export
// writes everything.
const ChangesSchema = "etl_changes"

// BatchRelation is where an incremental run leaves the rows it added to r,
// for the length of the run: the model's tests check those instead of the
// whole table. It lives in the warehouse's in-memory scratch catalog.
func BatchRelation(r tmpl.Relation) tmpl.Relation {
	return tmpl.Relation{Schema: warehouse.Scratch, Name: r.Schema + "__" + r.Name}
}

// DeletedRelation is where an incremental delete+insert run leaves the
// rows it deleted from r, for the length of the run: the batch-mode models
// that read r learn from it which keys changed.
func DeletedRelation(r tmpl.Relation) tmpl.Relation {
	return tmpl.Relation{Schema: warehouse.Scratch, Name: r.Schema + "__" + r.Name + "__deleted"}
}

// ChangesRelation is the change log of r.
func ChangesRelation(r tmpl.Relation) tmpl.Relation {
	return tmpl.Relation{Schema: ChangesSchema, Name: r.Schema + "__" + r.Name}
}

// StartChanges makes an empty change log for r: from now on every
// incremental run of r records the rows it inserts or replaces. Called
// once r's outputs are published, so the log says what changed since.
func StartChanges(ctx context.Context, q warehouse.Querier, r tmpl.Relation) error {
	_, err := q.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT * FROM %s LIMIT 0", ChangesRelation(r), r))
	if err != nil {
		return fmt.Errorf("start change log of %s: %w", r, err)
	}
	return nil
}

// DropChanges forgets r's change log: after a full rebuild nothing is
// known about which rows changed.
func DropChanges(ctx context.Context, q warehouse.Querier, r tmpl.Relation) error {
	_, err := q.ExecContext(ctx, "DROP TABLE IF EXISTS "+ChangesRelation(r).String())
	return err
}

// changeLog reports whether r has a change log whose columns (names and
// types) are still those of the rows kept from stage. A log that no longer
// matches is dropped, which makes the next export write everything.
func changeLog(ctx context.Context, q warehouse.Querier, r tmpl.Relation, stage string) (bool, error) {
	log := ChangesRelation(r)
	kind, err := warehouse.RelationKind(ctx, q, log.Schema, log.Name)
	if err != nil || kind != "table" {
		return false, err
	}
	have, err := warehouse.Describe(ctx, q, log.String())
	if err != nil {
		return false, err
	}
	want, err := warehouse.Describe(ctx, q, stage)
	if err != nil {
		return false, err
	}
	want = slices.DeleteFunc(want, func(c warehouse.Column) bool { return strings.EqualFold(c.Name, RejectReason) })
	if slices.Equal(sortedColumns(have), sortedColumns(want)) {
		return true, nil
	}
	return false, DropChanges(ctx, q, r)
}

func sortedColumns(cols []warehouse.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = strings.ToLower(c.Name) + " " + c.Type
	}
	slices.Sort(out)
	return out
}
