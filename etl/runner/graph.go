package runner

import (
	"etlrunner/etl/dag"
	"etlrunner/etl/plan"
)

// executionGraph is the selected part of the plan limited to the kinds
// this command runs, plus one export node per exported model. As in dbt's
// build, a model waits for the tests of the models it reads, so bad data
// stops at the first failing test instead of flowing downstream.
func (r *runner) executionGraph() *dag.Graph {
	keep := map[string]bool{}
	for id, n := range r.pl.Nodes {
		if r.opts.Selected[id] && r.opts.Kinds[n.Kind] {
			keep[id] = true
		}
	}
	g := r.pl.Graph.Subgraph(keep)
	testsOf := map[string][]string{}
	for id := range keep {
		if m := r.pl.TestedModel(r.node(id)); m != nil && keep[m.ID] {
			testsOf[m.ID] = append(testsOf[m.ID], id)
		}
	}
	for id := range keep {
		n := r.node(id)
		if n.Kind != plan.ModelNode {
			continue
		}
		for _, dep := range r.pl.Graph.Deps(id) {
			for _, t := range testsOf[dep] {
				// A test may itself depend on this model (relationships), which
				// would make a cycle; such a test only guards its own model.
				if !r.pl.Graph.Ancestors(t)[id] {
					g.Connect(id, t)
				}
			}
		}
		if r.opts.Export && len(n.Config.ExportList()) > 0 {
			e := exportID(id)
			g.Connect(e, id)
			for _, t := range testsOf[id] {
				g.Connect(e, t)
			}
		}
	}
	r.addDeliveries(keep, testsOf, g.Connect)
	return g
}

func exportID(modelID string) string { return "export:" + modelID }

func modelOfExport(id string) string { return id[len("export:"):] }
