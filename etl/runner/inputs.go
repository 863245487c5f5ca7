package runner

import (
	"context"
	"fmt"
	"strings"

	"etlrunner/etl/materialize"
	"etlrunner/etl/plan"
	"etlrunner/etl/project"
	"etlrunner/etl/tmpl"
	"etlrunner/etl/warehouse"
)

// change is what this run did to the rows of a seed's table or a model, as
// the batch-mode models that read it need to know: they see only what
// changed since they last ran, and rebuild when that cannot be told.
type change struct {
	prev     string // the node's version before this run
	full     bool   // replaced wholesale or lost rows it cannot name
	why      string // for full: what happened, for the rebuilt model's line
	inserted string // a query of the rows added ("" for none)
	deleted  string // a query of the rows removed ("" for none)
	lost     bool   // some deleted keys were not inserted again
}

func (r *runner) noteChange(id string, c change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes[id] = c
}

func (r *runner) changeOf(id string) (change, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.changes[id]
	return c, ok
}

// seedSince is what happened to a seed's table since a model read it at
// version was, when its ledger's latest load was through: when every file
// it had then is still there unchanged, the rows loaded after through are
// what it has not seen; otherwise files were replaced or removed, and no
// batch can name the rows they took away.
func (r *runner) seedSince(ctx context.Context, n *plan.Node, was, through string) (change, error) {
	c := change{prev: was}
	if through == "" {
		c.full, c.why = true, "no record of the loads of "+n.Name+" it read"
		return c, nil
	}
	kept, err := r.ledgerHash(ctx, n, "AND loaded_at <= CAST(? AS TIMESTAMPTZ)", through)
	if err != nil {
		return c, err
	}
	if kept != was {
		c.full, c.why = true, "files of "+n.Name+" were replaced or removed"
		return c, nil
	}
	rel := tmpl.Relation{Schema: n.Seed.Schema(), Name: n.Seed.TableName()}
	c.inserted = fmt.Sprintf("SELECT * FROM %s WHERE _loaded_at > CAST(%s AS TIMESTAMPTZ)", rel, warehouse.QuoteString(through))
	return c, nil
}

// modelChange describes what a materialization did.
func modelChange(ctx context.Context, q warehouse.Querier, n *plan.Node, prev string, got materialize.Result) (change, error) {
	c := change{prev: prev}
	if !got.Batch {
		c.full, c.why = true, n.Name+" was rebuilt"
		return c, nil
	}
	c.inserted = "SELECT * FROM " + materialize.BatchRelation(n.Relation).String()
	if !got.Deleted {
		return c, nil
	}
	c.deleted = "SELECT * FROM " + materialize.DeletedRelation(n.Relation).String()
	if n.Config.Materialized == project.View {
		c.lost = true // no key says which of its rows came back
		return c, nil
	}
	if n.Config.Batch != project.BatchKey {
		return c, nil // a delete+insert by its own rows inserts every key it deletes
	}
	lost, err := keysGone(ctx, q, n.Config.UniqueKey, c)
	c.lost = lost > 0
	return c, err
}

// keysGone counts the values of cols among a change's deleted rows that
// its inserted rows do not bring back.
func keysGone(ctx context.Context, q warehouse.Querier, cols []string, c change) (int64, error) {
	list := quoted(cols)
	var gone int64
	err := q.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT %s FROM (%s) EXCEPT SELECT %s FROM (%s))",
		list, c.deleted, list, c.inserted)).Scan(&gone)
	return gone, err
}

// relationOf is the table a model or seed node writes.
func (r *runner) relationOf(id string) (tmpl.Relation, bool) {
	n := r.node(id)
	switch {
	case n == nil:
		return tmpl.Relation{}, false
	case n.Kind == plan.SeedNode:
		return tmpl.Relation{Schema: n.Seed.Schema(), Name: n.Seed.TableName()}, true
	case n.Kind == plan.ModelNode:
		return n.Relation, true
	}
	return tmpl.Relation{}, false
}

func hasColumns(ctx context.Context, q warehouse.Querier, rel string, want []string) (bool, error) {
	have, err := warehouse.ColumnSet(ctx, q, rel)
	if err != nil {
		return false, err
	}
	for _, w := range want {
		if !have[strings.ToLower(w)] {
			return false, nil
		}
	}
	return true, nil
}

func quotedList(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = warehouse.QuoteIdent(c)
	}
	return out
}

func quoted(cols []string) string { return strings.Join(quotedList(cols), ", ") }
