package runner

import (
	"context"

	"etlrunner/etl/datatest"
	"etlrunner/etl/materialize"
	"etlrunner/etl/plan"
	"etlrunner/etl/project"
	"etlrunner/etl/tmpl"
)

// How a model was built in this run; a model absent from runner.builds was
// not built (unchanged, or not selected).
const (
	builtFull  = "full"  // the relation was replaced
	builtBatch = "batch" // an incremental run added rows, kept in its batch table
)

func (r *runner) noteBuild(id string, batch bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.builds[id] = builtFull
	if batch {
		r.builds[id] = builtBatch
	}
}

func (r *runner) buildOf(id string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.builds[id]
}

// testQuery is how a test runs in this run.
type testQuery struct {
	sql     string // the query whose rows are failures
	scoped  bool   // sql reads only the rows the model added in this run
	scopeID string // the record that the test passed; "" for singular tests
	mark    string // what that record holds after a pass in this run
}

// testQuery decides whether a test may check only the rows its model added
// in this run. That holds when every older row has passed this very test:
// the test passed last time, on the model (and, for relationships, the
// parent) as they were before this run. The record of that pass holds the
// test's whole-table query and the versions of those models.
func (r *runner) testQuery(ctx context.Context, n *plan.Node) (testQuery, error) {
	full, err := r.pl.TestSQL(n)
	if err != nil {
		return testQuery{}, err
	}
	q := testQuery{sql: full}
	m := r.pl.TestedModel(n)
	if m == nil || n.Singular != nil {
		return q, nil
	}
	q.scopeID = "scope:" + n.ID
	inputs := []string{m.ID}
	if p := r.pl.Model(n.Test.To); n.Test.Kind == project.Relationships && p != nil {
		inputs = append(inputs, p.ID)
	}
	before, now := []string{full}, []string{full}
	r.state.mu.Lock()
	for _, id := range inputs {
		before = append(before, r.state.saved[id])
	}
	valid := r.state.saved[q.scopeID] == hashOf(before...)
	r.state.mu.Unlock()
	for _, id := range inputs {
		v, err := r.version(ctx, id)
		if err != nil {
			return testQuery{}, err
		}
		now = append(now, v)
	}
	q.mark = hashOf(now...)
	if !valid || r.opts.FullRefresh || r.buildOf(m.ID) != builtBatch {
		return q, nil
	}
	batch := materialize.BatchRelation(m.Relation).String()
	scoped, err := r.pl.ScopedTestSQL(n, plan.TestScope{
		Batch: func(name string) string {
			if name == m.Name {
				return batch
			}
			return ""
		},
		Changes: r.change,
	})
	if err != nil {
		return testQuery{}, err
	}
	q.sql, q.scoped = scoped, scoped != full
	return q, nil
}

// change is what this run did to a model, for tests.
func (r *runner) change(model string) datatest.Change {
	p := r.pl.Model(model)
	if p == nil {
		return datatest.Change{Rebuilt: true}
	}
	switch r.buildOf(p.ID) {
	case "":
		return datatest.Change{}
	case builtBatch:
		c := datatest.Change{Added: materialize.BatchRelation(p.Relation).String()}
		if p.Config.Strategy() == project.DeleteInsert {
			c.Key = p.Config.UniqueKey
		}
		if ch, ok := r.changeOf(p.ID); ok {
			c.Lost = ch.lost
		}
		return c
	}
	return datatest.Change{Rebuilt: true}
}

// dropBatches removes the batch tables of this run: they only serve its tests.
func (r *runner) dropBatches(ctx context.Context) {
	for id, how := range r.builds {
		if how != builtBatch {
			continue
		}
		for _, rel := range []tmpl.Relation{materialize.BatchRelation(r.node(id).Relation), materialize.DeletedRelation(r.node(id).Relation)} {
			_, _ = r.wh.DB.ExecContext(ctx, "DROP TABLE IF EXISTS "+rel.String())
		}
	}
}
