package tmpl

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	controls "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/logging"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Call is a ref(...) or source(...) evaluated during a render, positioned at
// the call in the model file (for a call made inside a macro: at the model's
// call of that macro).
type Call struct {
	Args      []string
	Line, Col int
}

// Context is what a model sees while rendering.
type Context struct {
	Vars          map[string]any
	This          Relation
	IsIncremental bool
	// Ref resolves ref('name'); an error means the ref is unknown.
	Ref func(name string) (Relation, error)
	// Source resolves source('source', 'table'); an error means it is unknown.
	Source func(source, table string) (Relation, error)
	// EnvVar backs env_var(); nil means only defaults are available.
	EnvVar func(name string) (string, bool)
	// Locals are variables the template reads by name (a message's row
	// columns, a digest's rows).
	Locals map[string]any
	// Escape, when set, is applied to what every {{ }} writes, unless its
	// last filter is safe: a message's values cannot add markup to it.
	Escape func(string) string
}

// Result is a rendered model and what rendering it revealed.
type Result struct {
	SQL string
	// Refs and Sources list the evaluated calls in evaluation order; the same
	// call evaluated again at the same place (in a loop) is listed once.
	Refs    []Call
	Sources []Call
	// Config merges the keyword arguments of every config(...) call; later
	// calls win.
	Config map[string]any
}

// Engine renders models against a fixed set of macro files. It is safe for
// concurrent use.
type Engine struct {
	cfg    *config.Config
	base   *exec.Context
	macros []macroFile
	sites  []*site // call sites of all macro files, by id
}

type macroFile struct {
	name   string
	tpl    *exec.Template
	macros []*nodes.Macro
}

// NewEngine parses macro files (name -> source). Every macro they define is
// callable from every model by its bare name; two macros with the same name
// are an error, as in dbt.
func NewEngine(macros map[string]string) (*Engine, error) {
	// gonja's tracing is off unless someone turns it on; the flag is atomic,
	// so forcing it off here cannot race with renders.
	logging.SetEnabled(false)
	e := &Engine{cfg: config.New(), base: baseContext()}
	defined := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(macros)) {
		tpl, err := parse(e.cfg, e.environment(e.base), name, macros[name])
		if err != nil {
			return nil, err
		}
		tags := macroTags(tpl.Root())
		e.sites = append(e.sites, rewrite(tpl.Root(), name, false, len(e.sites))...)
		mf := macroFile{name: name, tpl: tpl}
		for _, mname := range slices.Sorted(maps.Keys(tpl.Macros())) {
			m := tpl.Macros()[mname]
			if prev, dup := defined[mname]; dup {
				return nil, errorAt(name, tags[m], fmt.Sprintf("macro %q is already defined in %s", mname, prev))
			}
			defined[mname] = name
			mf.macros = append(mf.macros, m)
		}
		e.macros = append(e.macros, mf)
	}
	return e, nil
}

// macroTags maps each top-level macro to its {% macro %} tag, which is where
// a reader looks for it (the macro's own location is the end of the tag).
func macroTags(root *nodes.Template) map[*nodes.Macro]*tokens.Token {
	tags := map[*nodes.Macro]*tokens.Token{}
	for _, n := range root.Nodes {
		block, ok := n.(*nodes.ControlStructureBlock)
		if !ok {
			continue
		}
		if m, ok := block.ControlStructure.(*controls.MacroControlStructure); ok {
			tags[m.Macro] = block.Location
		}
	}
	for _, m := range root.Macros {
		if tags[m] == nil {
			tags[m] = m.Location
		}
	}
	return tags
}

func baseContext() *exec.Context {
	base := exec.EmptyContext().Update(builtins.GlobalFunctions).Update(builtins.GlobalVariables)
	for name, fn := range map[string]builtin{
		"ref":            refFunc,
		"source":         sourceFunc,
		"var":            varFunc,
		"env_var":        envVarFunc,
		"config":         configFunc,
		"is_incremental": isIncrementalFunc,
		"range":          rangeFunc,
	} {
		base.Set(name, fn.gonja())
	}
	base.Set(dispatchName, dispatch)
	return base
}

// environment shares gonja's builtin filters, tests and statements (read-only
// registries guarded by their own locks) but never its global context.
func (e *Engine) environment(ctx *exec.Context) *exec.Environment {
	return &exec.Environment{
		Context:           ctx,
		Filters:           filters,
		Tests:             builtins.Tests,
		ControlStructures: builtins.ControlStructures,
		Methods:           builtins.Methods,
	}
}

// Check parses source, reporting a syntax error positioned in file.
func (e *Engine) Check(file, source string) error {
	_, err := parse(e.cfg, e.environment(e.base.Inherit()), file, source)
	return err
}

// Render renders one model. file names the model in errors.
func (e *Engine) Render(ctx context.Context, file, source string, c Context) (res *Result, err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("render %s: %w", file, err)
	}
	defer func() {
		// gonja is not hardened against every input; a panic in it must fail
		// this model, not the whole run.
		if p := recover(); p != nil {
			res, err = nil, &Error{File: file, Msg: fmt.Sprintf("template engine failure: %v", p)}
		}
	}()

	st := &state{ctx: ctx, eng: e, file: file, in: c, res: &Result{Config: map[string]any{}},
		macroScope: map[string]*exec.Context{}}
	scope := e.base.Inherit()
	scope.Set(stateKey, st)
	scope.Set("this", relValue{c.This})
	for name, v := range c.Locals {
		scope.Set(name, v)
	}
	tpl, err := parse(e.cfg, e.environment(scope), file, source)
	if err != nil {
		return nil, err
	}
	st.sites = rewrite(tpl.Root(), file, true, len(e.sites))
	for _, mf := range e.macros {
		// Each macro file gets its own renderer (gonja binds a macro to the
		// renderer it is defined in), all under this render's scope.
		mscope := scope.Inherit()
		r := exec.NewRenderer(e.environment(mscope), io.Discard, e.cfg, nil, mf.tpl)
		for _, m := range mf.macros {
			fn, err := exec.MacroNodeToFunc(m, r)
			if err != nil {
				return nil, errorAt(mf.name, m.Location, err.Error())
			}
			scope.Set(m.Name, fn)
			st.macroScope[m.Name] = mscope
		}
	}

	var out strings.Builder
	execErr := tpl.Execute(&out, nil)
	switch {
	case st.stop != nil:
		return nil, fmt.Errorf("render %s: %w", file, st.stop)
	case st.err != nil:
		return nil, st.err
	case execErr != nil:
		return nil, &Error{File: file, Msg: innermost(execErr)}
	}
	st.res.SQL = out.String()
	return st.res, nil
}
