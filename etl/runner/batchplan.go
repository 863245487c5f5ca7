package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"etlrunner/etl/plan"
	"etlrunner/etl/project"
	"etlrunner/etl/tmpl"
	"etlrunner/etl/warehouse"
)

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

// input is one relation a batch model reads that changed in this run.
type input struct {
	rel tmpl.Relation
	c   change
}

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
		return b, r.loadBatch(ctx, conn, n, &b, changed)
	}
	return b, r.keyBatch(ctx, conn, n, &b, changed, unchanged)
}

// loadBatch shows a batch: load model the one input that changed as its
// added rows.
func (r *runner) loadBatch(ctx context.Context, conn warehouse.Querier, n *plan.Node, b *batch, changed []input) error {
	if len(changed) > 1 {
		b.rebuild = "more than one input changed"
		return nil
	}
	for _, in := range changed {
		if n.Config.Materialized == project.View {
			continue // viewBatch shows the view over the input's batch itself
		}
		if why, err := r.loadable(ctx, conn, n, in.rel, in.c); err != nil || why != "" {
			b.rebuild = why
			return err
		}
		if err := b.view(ctx, conn, n, in.rel, in.c.inserted); err != nil {
			return err
		}
	}
	return nil
}

// keyBatch shows every input of a batch: key model that holds the key
// columns as the rows of the keys that changed in any input.
func (r *runner) keyBatch(ctx context.Context, conn warehouse.Querier, n *plan.Node, b *batch, changed []input, unchanged []tmpl.Relation) error {
	keyCols := quoted(n.Config.UniqueKey)
	var touched []string
	for _, in := range changed {
		has, err := hasColumns(ctx, conn, in.rel.String(), n.Config.UniqueKey)
		if err != nil {
			return err
		}
		if !has {
			b.rebuild = fmt.Sprintf("%s changed and has no %s", in.rel, keyCols)
			return nil
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
		return fmt.Errorf("keys of the batch: %w", err)
	}
	b.keys = keys.String()
	b.views = append(b.views, "TABLE "+keys.String())
	rels := unchanged
	for _, in := range changed {
		rels = append(rels, in.rel)
	}
	var on []string
	for _, k := range quotedList(n.Config.UniqueKey) {
		on = append(on, fmt.Sprintf("i.%s IS NOT DISTINCT FROM k.%s", k, k))
	}
	for _, rel := range rels {
		has, err := hasColumns(ctx, conn, rel.String(), n.Config.UniqueKey)
		if err != nil {
			return err
		}
		if !has {
			continue // read whole: it did not change
		}
		match := fmt.Sprintf("FROM %s AS i SEMI JOIN %s AS k ON %s", rel, b.keys, strings.Join(on, " AND "))
		q := "SELECT i.* " + match
		kind, err := warehouse.RelationKind(ctx, conn, rel.Schema, rel.Name)
		if err != nil {
			return err
		}
		if kind == "table" {
			// Found on the key columns alone, then read by rowid: the
			// few rows of the batch's keys, not every column of the table.
			q = fmt.Sprintf("SELECT * FROM %s WHERE rowid IN (SELECT i.rowid %s)", rel, match)
		}
		if err := b.view(ctx, conn, n, rel, q); err != nil {
			return err
		}
	}
	return nil
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
	gone, err := keysGone(ctx, conn, n.Config.UniqueKey, c)
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

// batchStateOf is what batch-mode model n consumes in this run: the
// version of each input (final by now: the inputs ran first) and, for a
// seed, its latest load.
func (r *runner) batchStateOf(ctx context.Context, n *plan.Node) (string, error) {
	st := batchState{SQL: batchText(n), Inputs: map[string]string{}, Through: map[string]string{}}
	for _, dep := range r.pl.Graph.Deps(n.ID) {
		if _, ok := r.relationOf(dep); !ok {
			continue
		}
		v, err := r.version(ctx, dep)
		if err != nil {
			return "", err
		}
		st.Inputs[dep] = v
		if d := r.node(dep); d.Kind == plan.SeedNode {
			if st.Through[dep], err = r.latestLoad(ctx, d); err != nil {
				return "", err
			}
		}
	}
	data, err := json.Marshal(st)
	return string(data), err
}

// batchText is what a batch model's rows depend on besides its inputs:
// its template and compiled SQL (vars included) and its config.
func batchText(n *plan.Node) string {
	cfg, _ := json.Marshal(n.Config)
	return hashOf(n.Model.SQL, n.SQL, string(cfg))
}
