// Package plan compiles a loaded project into a graph of nodes: seeds,
// models and data tests, each with what it depends on. Compiling renders
// every model, so unknown refs, bad templates and cycles are all found here,
// before any statement runs. It needs no database.
package plan

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"etlrunner/etl/dag"
	"etlrunner/etl/project"
	"etlrunner/etl/tmpl"
)

// Kind of node.
type Kind string

const (
	SeedNode  Kind = "seed"
	ModelNode Kind = "model"
	TestNode  Kind = "test"
)

// Node is one unit of work.
type Node struct {
	ID   string // dbt-style unique_id: model.<project>.<name>
	Kind Kind
	Name string
	File string // project-relative path of the file that defines it

	Seed     *project.Seed
	Patterns []string // the seed's rendered paths or globs, tried in order

	Model    *project.Model
	Relation tmpl.Relation
	Config   project.Config // merged with the model's own config() call
	SQL      string         // compiled with is_incremental() false
	// Source is the one landing table a model reads, for its row audit.
	Source *tmpl.Relation

	Test     *project.Test
	Singular *project.SingularTest

	refs, sources []tmpl.Call // what the model's renders called
}

// Plan is a compiled project.
type Plan struct {
	Project *project.Project
	Vars    map[string]any
	Nodes   map[string]*Node
	Graph   *dag.Graph
	// Deliveries are the project's deliveries on enabled models, and its
	// on_run_end digests.
	Deliveries []*Delivery
	engine     *tmpl.Engine
	env        func(string) (string, bool)
}

// Options of a compilation.
type Options struct {
	Vars   map[string]any              // overrides of the project's vars
	EnvVar func(string) (string, bool) // for env_var(); nil means none are set
}

// Compile renders every model and builds the graph.
func Compile(ctx context.Context, p *project.Project, opts Options) (*Plan, error) {
	engine, err := tmpl.NewEngine(p.Macros)
	if err != nil {
		return nil, err
	}
	pl := &Plan{Project: p, Vars: p.WithVars(opts.Vars), Nodes: map[string]*Node{}, Graph: dag.New(), engine: engine, env: opts.EnvVar}
	var errs project.Errors
	for _, s := range p.Seeds {
		if err := pl.addSeed(ctx, s); err != nil {
			errs = append(errs, err)
		}
	}
	for _, m := range p.Models {
		if !m.Config.IsEnabled() {
			continue
		}
		// Into the graph only once config(enabled=false) has been seen.
		n := &Node{ID: id(p, ModelNode, m.Name), Kind: ModelNode, Name: m.Name, File: m.Path, Model: m,
			Relation: tmpl.Relation{Schema: m.Layer, Name: m.Name}, Config: m.Config}
		pl.Nodes[n.ID] = n
	}
	models := pl.sorted(ModelNode)
	for _, n := range models {
		if err := pl.compileModel(ctx, n); err != nil {
			errs = append(errs, err)
		}
	}
	// Every model is rendered before any disabled one is dropped, so a ref
	// between two disabled models does not hide the second's config().
	for _, n := range models {
		if !n.Config.IsEnabled() {
			delete(pl.Nodes, n.ID)
		}
	}
	for _, n := range models {
		if n.Config.IsEnabled() {
			pl.Graph.Add(n.ID)
			errs = append(errs, pl.link(n)...)
		}
	}
	if len(errs) == 0 {
		errs = append(errs, pl.addTests(ctx)...)
		errs = append(errs, pl.compileDeliveries()...)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if c := pl.Graph.Cycle(); c != nil {
		return nil, pl.cycleError(c)
	}
	return pl, nil
}

func id(p *project.Project, kind Kind, name string) string {
	return fmt.Sprintf("%s.%s.%s", kind, p.Name, name)
}

func (pl *Plan) add(n *Node) {
	pl.Nodes[n.ID] = n
	pl.Graph.Add(n.ID)
}

// sorted returns the nodes of a kind ordered by ID.
func (pl *Plan) sorted(kind Kind) []*Node {
	var out []*Node
	for _, n := range pl.Nodes {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ByKind returns the nodes of a kind in ID order.
func (pl *Plan) ByKind(kind Kind) []*Node { return pl.sorted(kind) }

func (pl *Plan) addSeed(ctx context.Context, s *project.Seed) error {
	n := &Node{ID: id(pl.Project, SeedNode, s.Name), Kind: SeedNode, Name: s.Name, File: s.File, Seed: s}
	for _, p := range s.Path {
		res, err := pl.engine.Render(ctx, s.File, p, tmpl.Context{Vars: pl.Vars, EnvVar: pl.env})
		if err != nil {
			return fmt.Errorf("%s:%d: seed %s path: %w", s.File, s.Line, s.Name, err)
		}
		n.Patterns = append(n.Patterns, res.SQL)
	}
	pl.add(n)
	return nil
}

// PatternText shows a seed's paths: one, or the list tried in order.
func (n *Node) PatternText() string { return strings.Join(n.Patterns, " | ") }

// Model finds the node of an enabled model by name, or nil.
func (pl *Plan) Model(name string) *Node {
	return pl.Nodes[id(pl.Project, ModelNode, name)]
}

// seedByTable finds the seed that lands in schema.table (or is named table).
func (pl *Plan) seedByTable(schema, table string) *Node {
	for _, n := range pl.sorted(SeedNode) {
		s := n.Seed
		if s.Schema() == schema && (s.TableName() == table || s.Name == table) {
			return n
		}
	}
	return nil
}

func (pl *Plan) cycleError(c *dag.CycleError) error {
	names := make([]string, len(c.Path))
	for i, nodeID := range c.Path {
		names[i] = pl.Nodes[nodeID].Name
	}
	first := pl.Nodes[c.Path[0]]
	line := 1
	if first.Model != nil {
		line = pl.refLine(first, pl.Nodes[c.Path[1]].Name)
	}
	return &project.Error{File: first.File, Line: line, Msg: fmt.Sprintf("dependency cycle: %s", joinArrow(names))}
}

func joinArrow(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += " -> "
		}
		out += n
	}
	return out
}
