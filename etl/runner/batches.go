package runner

import (
	"context"
	"slices"

	"etlrunner/etl/materialize"
	"etlrunner/etl/plan"
	"etlrunner/etl/project"
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

// testScope decides whether a test may check only the rows its model added
// in this run. That holds when every older row has passed this very test:
// the test passed last time, on the model (and, for relationships, the
// parent) as they were before this run. scopeID names the record of that
// pass; mark is what it must hold now, and what a pass records for the
// next run.
func (r *runner) testScope(ctx context.Context, n *plan.Node) (scope plan.TestScope, scopeID, mark string, err error) {
	m := r.pl.TestedModel(n)
	if m == nil || n.Singular != nil {
		return scope, "", "", nil
	}
	def, err := r.pl.TestSQL(n)
	if err != nil {
		return scope, "", "", err
	}
	scopeID = "scope:" + n.ID
	parts := []string{def}
	inputs := []string{m.ID}
	if p := r.pl.Model(n.Test.To); n.Test.Kind == project.Relationships && p != nil {
		inputs = append(inputs, p.ID)
	}
	r.state.mu.Lock()
	before := append([]string{}, parts...)
	for _, id := range inputs {
		before = append(before, r.state.saved[id])
	}
	valid := r.state.saved[scopeID] == hashOf(before...)
	r.state.mu.Unlock()
	for _, id := range inputs {
		v, err := r.version(ctx, id)
		if err != nil {
			return scope, "", "", err
		}
		parts = append(parts, v)
	}
	mark = hashOf(parts...)
	if valid && !r.opts.FullRefresh && r.buildOf(m.ID) == builtBatch {
		batch := materialize.BatchRelation(m.Relation).String()
		scope.Batch = func(name string) string {
			if name == m.Name {
				return batch
			}
			return ""
		}
		scope.KeysKept = r.keysKept
	}
	return scope, scopeID, mark, nil
}

// keysKept reports whether a model still holds every value its column held
// before this run: true when this run did not build it, or only appended
// rows, or replaced rows by a key that includes the column.
func (r *runner) keysKept(model, column string) bool {
	p := r.pl.Model(model)
	if p == nil {
		return false
	}
	switch r.buildOf(p.ID) {
	case "":
		return true
	case builtBatch:
		c := p.Config
		return c.IncrementalStrategy != project.DeleteInsert || slices.Contains(c.UniqueKey, column)
	}
	return false
}

// dropBatches removes the batch tables of this run: they only serve its tests.
func (r *runner) dropBatches(ctx context.Context) {
	for id, how := range r.builds {
		if how != builtBatch {
			continue
		}
		rel := materialize.BatchRelation(r.node(id).Relation)
		_, _ = r.wh.DB.ExecContext(ctx, "DROP TABLE IF EXISTS "+rel.String())
	}
}
