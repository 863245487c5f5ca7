package tmpl

import (
	"context"
	"fmt"
	"slices"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
)

// Context keys and names that templates cannot spell (a dot is not part of an
// identifier), so user code can neither read nor shadow them.
const (
	stateKey     = "tmpl.state"
	dispatchName = "tmpl.call"
	// callerKey is where gonja's {% call %} leaves the block for the macro.
	callerKey = "__gonja_caller__"
)

// maxDepth bounds nested calls so a recursive macro fails instead of
// exhausting the goroutine stack, which would kill the process.
const maxDepth = 64

// pos is a place in a model or macro file.
type pos struct {
	file      string
	line, col int
	macro     string // enclosing macro, "" outside macros
	model     bool   // true in the model being rendered
}

// site is one call by name (ref(...), a macro call, ...) found in a parsed
// tree. The tree's call node now invokes the dispatcher with the site's id;
// call is the untouched original the dispatcher evaluates.
type site struct {
	pos
	name string
	call nodes.Expression
}

// state is everything one Render accumulates. A render runs on a single
// goroutine, so it needs no locking.
type state struct {
	ctx   context.Context
	eng   *Engine
	file  string
	in    Context
	sites []*site // the model's own sites, ids following the engine's
	stack []*site
	res   *Result
	err   *Error
	// macroScope is the context each engine macro runs in, by macro name.
	macroScope map[string]*exec.Context
	stop       error // context error that interrupted the render
}

func stateOf(c *exec.Context) *state {
	v, _ := c.Get(stateKey)
	st, _ := v.(*state)
	return st
}

func (st *state) site(id int) *site {
	if id >= 0 && id < len(st.eng.sites) {
		return st.eng.sites[id]
	}
	id -= len(st.eng.sites)
	if id >= 0 && id < len(st.sites) {
		return st.sites[id]
	}
	return nil
}

// modelPos is where the current evaluation sits in the model file: p itself,
// or, inside a macro, the model call that (indirectly) entered the macro.
func (st *state) modelPos(p pos) (line, col int) {
	if p.model {
		return p.line, p.col
	}
	if len(st.stack) > 0 && st.stack[0].model {
		return st.stack[0].line, st.stack[0].col
	}
	return 0, 0
}

// fail records the first failure; later ones are consequences of it as the
// error unwinds through gonja.
func (st *state) fail(p pos, msg string) *Error {
	if st.err != nil {
		return st.err
	}
	line, col := st.modelPos(p)
	if !p.model {
		msg = fmt.Sprintf("%s (in macro %q at %s:%d:%d)", msg, p.macro, p.file, p.line, p.col)
	}
	st.err = &Error{File: st.file, Line: line, Col: col, Msg: msg}
	return st.err
}

// here is the position of the call being evaluated right now.
func (st *state) here() pos {
	if len(st.stack) == 0 {
		return pos{file: st.file, model: true}
	}
	return st.stack[len(st.stack)-1].pos
}

func (st *state) record(list *[]Call, args ...string) {
	line, col := st.modelPos(st.here())
	c := Call{Args: args, Line: line, Col: col}
	for _, seen := range *list {
		if seen.Line == c.Line && seen.Col == c.Col && slices.Equal(seen.Args, c.Args) {
			return
		}
	}
	*list = append(*list, c)
}

// dispatch runs every named call of every template: it keeps the call stack
// that positions errors and refs, and turns an unknown name into an error at
// the call.
func dispatch(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
	st := stateOf(e.Environment.Context)
	if st == nil || len(va.Args) != 1 {
		return exec.AsValue(fmt.Errorf("internal: call outside a render"))
	}
	s := st.site(va.Args[0].Integer())
	if s == nil {
		return exec.AsValue(fmt.Errorf("internal: unknown call site"))
	}
	if err := st.ctx.Err(); err != nil {
		st.stop = err
		return exec.AsValue(err)
	}
	if len(st.stack) >= maxDepth {
		return exec.AsValue(st.fail(s.pos, fmt.Sprintf("calls nested deeper than %d (recursive macro?)", maxDepth)))
	}
	if !e.Environment.Context.Has(s.name) {
		return exec.AsValue(st.fail(s.pos, fmt.Sprintf("undefined function or macro %q", s.name)))
	}
	st.passCaller(e.Environment.Context, s.name)
	st.stack = append(st.stack, s)
	v := e.Eval(s.call)
	st.stack = st.stack[:len(st.stack)-1]
	if v.IsError() && st.stop == nil {
		st.fail(s.pos, innermost(v))
	}
	return v
}

// passCaller hands the body of a {% call %} block to an engine macro: gonja
// looks for it in the context the macro was defined in, which for macro files
// is not an ancestor of the calling template's context.
func (st *state) passCaller(from *exec.Context, macro string) {
	scope, ok := st.macroScope[macro]
	if !ok {
		return
	}
	if caller, ok := from.Get(callerKey); ok && caller != nil {
		scope.Set(callerKey, caller)
	}
}
