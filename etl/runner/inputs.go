package runner

import (
	"context"
	"encoding/json"
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
	cols := quoted(n.Config.UniqueKey)
	var lost int64
	err := q.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT %s FROM (%s) EXCEPT SELECT %s FROM (%s))",
		cols, c.deleted, cols, c.inserted)).Scan(&lost)
	c.lost = lost > 0
	return c, err
}

// batch is how a batch-mode model runs this time: its inputs as the
// relations to read instead, and the keys it replaces; or why it is
// rebuilt instead.
type batch struct {
	inputs  map[tmpl.Relation]tmpl.Relation
	changed map[tmpl.Relation]change // the inputs that changed, and how
	keys    string
	rebuild string
	views   []string // temporary views to drop afterwards
}

// batchState is what a batch-mode model records after a build: the text it
// was built from and the version of every input it consumed.
type batchState struct {
	SQL    string            `json:"sql"`
	Inputs map[string]string `json:"inputs"`
	// Through holds, per seed read, the latest load of its ledger then.
	Through map[string]string `json:"through,omitempty"`
}

func batchID(id string) string { return "batch:" + id }

// planBatch decides how batch-mode model n reads its inputs in this run.
// Each input's version is compared with the one n consumed last time: an
// unchanged input is read whole; one that changed by exactly one batch in
// this run shows that batch (batch: load) or the rows of the keys it
// touched (batch: key); anything else makes n rebuild from scratch.
func (r *runner) planBatch(ctx context.Context, conn warehouse.Querier, n *plan.Node) (batch, error) {
	b := batch{inputs: map[tmpl.Relation]tmpl.Relation{}, changed: map[tmpl.Relation]change{}}
	r.state.mu.Lock()
	saved := r.state.saved[batchID(n.ID)]
	r.state.mu.Unlock()
	var was batchState
	if saved == "" || json.Unmarshal([]byte(saved), &was) != nil {
		b.rebuild = "no batch state"
		return b, nil
	}
	if was.SQL != batchText(n) {
		b.rebuild = "its SQL or config changed"
		return b, nil
	}
	type input struct {
		rel tmpl.Relation
		c   change
	}
	var changed []input
	var unchanged []tmpl.Relation
	for _, dep := range r.pl.Graph.Deps(n.ID) {
		rel, ok := r.relationOf(dep)
		if !ok {
			continue
		}
		cur, err := r.version(ctx, dep)
		if err != nil {
			return b, err
		}
		if cur == was.Inputs[dep] {
			unchanged = append(unchanged, rel)
			continue
		}
		c, ok := r.changeOf(dep)
		if r.node(dep).Kind == plan.SeedNode {
			if c, err = r.seedSince(ctx, r.node(dep), was.Inputs[dep], was.Through[dep]); err != nil {
				return b, err
			}
			ok = true
		}
		switch {
		case !ok || c.prev != was.Inputs[dep]:
			b.rebuild = r.labelOf(dep) + " changed since " + n.Name + " last read it"
		case c.full:
			b.rebuild = c.why
		}
		if b.rebuild != "" {
			return b, nil
		}
		changed = append(changed, input{rel, c})
		b.changed[rel] = c
	}
	if n.Config.Batch == project.BatchLoad {
		if len(changed) > 1 {
			b.rebuild = "more than one input changed"
			return b, nil
		}
		for _, in := range changed {
			if n.Config.Materialized == project.View {
				continue // viewBatch shows the view over the input's batch itself
			}
			if why, err := r.loadable(ctx, conn, n, in.rel, in.c); err != nil || why != "" {
				b.rebuild = why
				return b, err
			}
			if err := b.view(ctx, conn, n, in.rel, in.c.inserted); err != nil {
				return b, err
			}
		}
		return b, nil
	}
	// batch: key. Every input holding the key shows the rows of the keys
	// that changed in any input.
	keyCols := quoted(n.Config.UniqueKey)
	var touched []string
	for _, in := range changed {
		has, err := hasColumns(ctx, conn, in.rel.String(), n.Config.UniqueKey)
		if err != nil {
			return b, err
		}
		if !has {
			b.rebuild = fmt.Sprintf("%s changed and has no %s", in.rel, keyCols)
			return b, nil
		}
		for _, q := range []string{in.c.inserted, in.c.deleted} {
			if q != "" {
				touched = append(touched, fmt.Sprintf("SELECT %s FROM (%s)", keyCols, q))
			}
		}
	}
	if len(touched) == 0 {
		touched = []string{fmt.Sprintf("SELECT %s FROM %s WHERE false", keyCols, n.Relation)}
	}
	keys := tmpl.Relation{Schema: "temp", Name: "__etl_keys_" + n.Relation.Schema + "_" + n.Relation.Name}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT DISTINCT * FROM (%s)",
		warehouse.QuoteIdent(keys.Name), strings.Join(touched, " UNION ALL "))); err != nil {
		return b, fmt.Errorf("keys of the batch: %w", err)
	}
	b.keys = keys.String()
	b.views = append(b.views, "TABLE "+keys.String())
	rels := unchanged
	for _, in := range changed {
		rels = append(rels, in.rel)
	}
	for _, rel := range rels {
		has, err := hasColumns(ctx, conn, rel.String(), n.Config.UniqueKey)
		if err != nil {
			return b, err
		}
		if !has {
			continue // read whole: it did not change
		}
		var on []string
		for _, k := range quotedList(n.Config.UniqueKey) {
			on = append(on, fmt.Sprintf("i.%s IS NOT DISTINCT FROM k.%s", k, k))
		}
		q := fmt.Sprintf("SELECT i.* FROM %s AS i SEMI JOIN %s AS k ON %s", rel, b.keys, strings.Join(on, " AND "))
		if err := b.view(ctx, conn, n, rel, q); err != nil {
			return b, err
		}
	}
	return b, nil
}

// loadable tells why a batch: load model cannot take an input's batch as
// it is: rows the input deleted must come back in the batch (a replace by
// the model's key), or the model rebuilds.
func (r *runner) loadable(ctx context.Context, conn warehouse.Querier, n *plan.Node, rel tmpl.Relation, c change) (string, error) {
	if c.deleted == "" {
		return "", nil
	}
	if n.Config.Strategy() != project.DeleteInsert {
		return fmt.Sprintf("%s replaced rows and %s only appends", rel, n.Name), nil
	}
	has, err := hasColumns(ctx, conn, rel.String(), n.Config.UniqueKey)
	if err != nil || !has {
		return fmt.Sprintf("%s replaced rows and has no %s", rel, quoted(n.Config.UniqueKey)), err
	}
	cols := quoted(n.Config.UniqueKey)
	var gone int64
	err = conn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT %s FROM (%s) EXCEPT SELECT %s FROM (%s))",
		cols, c.deleted, cols, c.inserted)).Scan(&gone)
	if err != nil || gone == 0 {
		return "", err
	}
	return fmt.Sprintf("%s removed %d keys", rel, gone), nil
}

// view makes rel read as query for this model's render: a temporary view
// on the model's connection.
func (b *batch) view(ctx context.Context, conn warehouse.Querier, n *plan.Node, rel tmpl.Relation, query string) error {
	v := tmpl.Relation{Schema: "temp", Name: fmt.Sprintf("__etl_in_%s_%s_%d", n.Relation.Schema, n.Relation.Name, len(b.inputs))}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS %s", warehouse.QuoteIdent(v.Name), query)); err != nil {
		return fmt.Errorf("batch of %s: %w", rel, err)
	}
	b.inputs[rel] = v
	b.views = append(b.views, "VIEW "+v.String())
	return nil
}

// drop removes the temporary relations of the batch.
func (b *batch) drop(ctx context.Context, conn warehouse.Querier) {
	for i := len(b.views) - 1; i >= 0; i-- {
		_, _ = conn.ExecContext(ctx, "DROP "+strings.Replace(b.views[i], " ", " IF EXISTS ", 1))
	}
}

// saveBatch records what batch-mode model n consumed in this run.
func (r *runner) saveBatch(ctx context.Context, n *plan.Node) error {
	st := batchState{SQL: batchText(n), Inputs: map[string]string{}, Through: map[string]string{}}
	for _, dep := range r.pl.Graph.Deps(n.ID) {
		if _, ok := r.relationOf(dep); !ok {
			continue
		}
		v, err := r.version(ctx, dep)
		if err != nil {
			return err
		}
		st.Inputs[dep] = v
		if d := r.node(dep); d.Kind == plan.SeedNode {
			if st.Through[dep], err = r.latestLoad(ctx, d); err != nil {
				return err
			}
		}
	}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	r.built(batchID(n.ID), string(data), true)
	return nil
}

// batchText is what a batch model's rows depend on besides its inputs:
// its template and compiled SQL (vars included) and its config.
func batchText(n *plan.Node) string {
	cfg, _ := json.Marshal(n.Config)
	return hashOf(n.Model.SQL, n.SQL, string(cfg))
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
	cols, err := warehouse.Describe(ctx, q, rel)
	if err != nil {
		return false, err
	}
	have := map[string]bool{}
	for _, c := range cols {
		have[strings.ToLower(c.Name)] = true
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
