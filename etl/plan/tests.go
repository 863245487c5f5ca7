package plan

import (
	"context"
	"fmt"

	"etlrunner/etl/datatest"
	"etlrunner/etl/materialize"
	"etlrunner/etl/project"
)

// addTests adds a node for every YAML test, every singular test and the row
// audit of every model that splits off rejects.
func (pl *Plan) addTests(ctx context.Context) []error {
	var errs []error
	for _, m := range pl.sorted(ModelNode) {
		for _, t := range m.Model.Tests {
			n := &Node{ID: id(pl.Project, TestNode, t.Name()), Kind: TestNode, Name: t.Name(), File: t.File, Test: t}
			if _, dup := pl.Nodes[n.ID]; dup {
				errs = append(errs, &project.Error{File: t.File, Line: t.Line, Msg: fmt.Sprintf("test %s is declared twice", t.Name())})
				continue
			}
			pl.add(n)
			pl.Graph.Connect(n.ID, m.ID)
			if t.Kind == project.Relationships {
				to := pl.Model(t.To)
				if to == nil {
					errs = append(errs, &project.Error{File: t.File, Line: t.Line, Msg: fmt.Sprintf("relationships test on %s: unknown model %q", m.Name, t.To)})
					continue
				}
				pl.Graph.Connect(n.ID, to.ID)
			}
		}
		if m.Config.HasRejects() {
			t := &project.Test{Kind: project.RowConservation, Model: m.Name, Severity: "error", File: m.File, Line: 1}
			n := &Node{ID: id(pl.Project, TestNode, t.Name()), Kind: TestNode, Name: t.Name(), File: m.File, Test: t}
			pl.add(n)
			pl.Graph.Connect(n.ID, m.ID)
		}
	}
	for _, s := range pl.Project.Tests {
		res, err := pl.RenderSQL(ctx, s.Path, s.SQL)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n := &Node{ID: id(pl.Project, TestNode, s.Name), Kind: TestNode, Name: s.Name, File: s.Path, Singular: s,
			Test: &project.Test{Kind: project.Singular, Severity: "error", File: s.Path, Line: 1}, SQL: res.SQL}
		if _, dup := pl.Nodes[n.ID]; dup {
			errs = append(errs, &project.Error{File: s.Path, Line: 1, Msg: fmt.Sprintf("test name %s is already used", s.Name)})
			continue
		}
		pl.add(n)
		for _, call := range res.Refs {
			pl.Graph.Connect(n.ID, pl.Model(call.Args[len(call.Args)-1]).ID)
		}
		for _, call := range res.Sources {
			pl.Graph.Connect(n.ID, pl.seedByTable(call.Args[0], call.Args[1]).ID)
		}
	}
	return errs
}

// TestedModel returns the model node a test checks, or nil for a singular test.
func (pl *Plan) TestedModel(n *Node) *Node {
	if n.Test == nil || n.Test.Model == "" {
		return nil
	}
	return pl.Model(n.Test.Model)
}

// TestSQL is the query whose rows are the failures of a test node, over
// whole tables.
func (pl *Plan) TestSQL(n *Node) (string, error) {
	return pl.ScopedTestSQL(n, TestScope{})
}

// TestScope narrows tests to the rows a run added (see datatest.SQL).
type TestScope struct {
	// Batch returns the quoted table of a model's new rows, or "".
	Batch func(model string) string
	// Changes tells what the run did to a model.
	Changes func(model string) datatest.Change
}

// ScopedTestSQL is TestSQL within scope. Singular tests always read what
// their SQL says.
func (pl *Plan) ScopedTestSQL(n *Node, scope TestScope) (string, error) {
	if n.Singular != nil {
		return n.SQL, nil
	}
	return datatest.SQL(n.Test, datatest.Relations{
		Model:   func(name string) string { return pl.Model(name).Relation.String() },
		Rejects: func(name string) string { return materialize.RejectsRelation(pl.Model(name).Relation).String() },
		Source:  func(name string) string { return pl.Model(name).Source.String() },
		Batch:   scope.Batch,
		Changes: scope.Changes,
	})
}
