package plan

import (
	"context"
	"fmt"

	"etlrunner/etl/project"
	"etlrunner/etl/tmpl"
	"gopkg.in/yaml.v3"
)

// compileModel renders a model to find its config and what it reads. An
// incremental model is rendered both ways so a ref inside an
// is_incremental() block is a dependency too.
func (pl *Plan) compileModel(ctx context.Context, n *Node) error {
	res, err := pl.render(ctx, n, false)
	if err != nil {
		return err
	}
	cfg, err := configFromCall(res.Config)
	if err != nil {
		return &project.Error{File: n.File, Line: 1, Msg: fmt.Sprintf("config(): %v", err)}
	}
	n.Config = n.Config.Merge(cfg)
	if !n.Config.IsEnabled() {
		return nil
	}
	if err := n.Config.Validate(); err != nil {
		return &project.Error{File: n.File, Line: 1, Msg: err.Error()}
	}
	n.SQL = res.SQL
	n.refs, n.sources = res.Refs, res.Sources
	if n.Config.Materialized == project.Incremental {
		inc, err := pl.render(ctx, n, true)
		if err != nil {
			return err
		}
		n.refs, n.sources = append(n.refs, inc.Refs...), append(n.sources, inc.Sources...)
	}
	return nil
}

// link connects a compiled model to what it reads. A ref to a model that
// turned out disabled is an unknown model, positioned at the ref.
func (pl *Plan) link(n *Node) []error {
	var errs []error
	for _, call := range n.refs {
		name := call.Args[len(call.Args)-1]
		dep := pl.Model(name)
		if dep == nil {
			errs = append(errs, &project.Error{File: n.File, Line: call.Line, Col: call.Col,
				Msg: fmt.Sprintf("ref(%q): unknown model %q (it is disabled)", name, name)})
			continue
		}
		pl.Graph.Connect(n.ID, dep.ID)
	}
	var sources []tmpl.Relation
	for _, call := range n.sources {
		s := pl.seedByTable(call.Args[0], call.Args[1])
		pl.Graph.Connect(n.ID, s.ID)
		sources = appendUnique(sources, tmpl.Relation{Schema: s.Seed.Schema(), Name: s.Seed.TableName()})
	}
	if len(sources) == 1 {
		n.Source = &sources[0]
	}
	if n.Config.HasRejects() && n.Source == nil {
		errs = append(errs, &project.Error{File: n.File, Line: 1, Msg: "rejects: true needs the model to read exactly one source(), for the row audit"})
	}
	return errs
}

func appendUnique(list []tmpl.Relation, r tmpl.Relation) []tmpl.Relation {
	for _, x := range list {
		if x == r {
			return list
		}
	}
	return append(list, r)
}

// Render renders a model's SQL for execution.
func (pl *Plan) Render(ctx context.Context, n *Node, incremental bool) (string, error) {
	return pl.RenderWith(ctx, n, incremental, nil)
}

// RenderWith renders a model's SQL for execution with some relations that
// ref() and source() name read from others instead: a batch-mode model
// reads its inputs' batches.
func (pl *Plan) RenderWith(ctx context.Context, n *Node, incremental bool, instead map[tmpl.Relation]tmpl.Relation) (string, error) {
	c := pl.context(n.Relation, incremental)
	if len(instead) > 0 {
		ref, source := c.Ref, c.Source
		swap := func(r tmpl.Relation, err error) (tmpl.Relation, error) {
			if alt, ok := instead[r]; ok && err == nil {
				return alt, nil
			}
			return r, err
		}
		c.Ref = func(name string) (tmpl.Relation, error) { return swap(ref(name)) }
		c.Source = func(src, table string) (tmpl.Relation, error) { return swap(source(src, table)) }
	}
	res, err := pl.engine.Render(ctx, n.File, n.Model.SQL, c)
	if err != nil {
		return "", err
	}
	return res.SQL, nil
}

// RenderSQL renders any SQL text of the project (a singular test) with the
// same refs and sources as models.
func (pl *Plan) RenderSQL(ctx context.Context, file, text string) (*tmpl.Result, error) {
	return pl.engine.Render(ctx, file, text, pl.context(tmpl.Relation{}, false))
}

func (pl *Plan) render(ctx context.Context, n *Node, incremental bool) (*tmpl.Result, error) {
	return pl.engine.Render(ctx, n.File, n.Model.SQL, pl.context(n.Relation, incremental))
}

func (pl *Plan) context(this tmpl.Relation, incremental bool) tmpl.Context {
	return tmpl.Context{
		Vars:          pl.Vars,
		This:          this,
		IsIncremental: incremental,
		EnvVar:        pl.env,
		Ref: func(name string) (tmpl.Relation, error) {
			m := pl.Model(name)
			if m == nil {
				return tmpl.Relation{}, fmt.Errorf("unknown model %q in ref()", name)
			}
			return m.Relation, nil
		},
		Source: func(source, table string) (tmpl.Relation, error) {
			s := pl.seedByTable(source, table)
			if s == nil {
				return tmpl.Relation{}, fmt.Errorf("unknown source %q.%q (declare a seed landing in %s.%s)", source, table, source, table)
			}
			return tmpl.Relation{Schema: s.Seed.Schema(), Name: s.Seed.TableName()}, nil
		},
	}
}

// refLine finds the line where n refers to model dep, for cycle messages.
// n.refs holds the calls of both renders of an incremental model.
func (pl *Plan) refLine(n *Node, dep string) int {
	for _, call := range n.refs {
		if call.Args[len(call.Args)-1] == dep {
			return call.Line
		}
	}
	return 1
}

// configFromCall turns config(...) keyword arguments into a Config, with
// the same strict key checking as YAML.
func configFromCall(args map[string]any) (project.Config, error) {
	var c project.Config
	if len(args) == 0 {
		return c, nil
	}
	data, err := yaml.Marshal(args)
	if err != nil {
		return c, err
	}
	return c, project.DecodeConfig(data, &c)
}
