package tmpl

import (
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// maxRange keeps range() from allocating without bound.
const maxRange = 1_000_000

// builtin is the signature gonja calls with the evaluator, which leads to the
// render's state.
type builtin func(st *state, va *exec.VarArgs) *exec.Value

func (fn builtin) gonja() func(*exec.Evaluator, *exec.VarArgs) *exec.Value {
	return func(e *exec.Evaluator, va *exec.VarArgs) *exec.Value {
		st := stateOf(e.Environment.Context)
		if st == nil {
			return exec.AsValue(fmt.Errorf("internal: call outside a render"))
		}
		return fn(st, va)
	}
}

// failHere records msg at the current call and returns it as gonja's error value.
func (st *state) failHere(format string, args ...any) *exec.Value {
	return exec.AsValue(st.fail(st.here(), fmt.Sprintf(format, args...)))
}

// stringArgs checks that a call got exactly want string arguments and no keywords.
func stringArgs(st *state, fn string, va *exec.VarArgs, want int) ([]string, *exec.Value) {
	if len(va.Args) != want || len(va.KwArgs) > 0 {
		return nil, st.failHere("%s() takes exactly %d string argument(s)", fn, want)
	}
	out := make([]string, want)
	for i, a := range va.Args {
		if !a.IsString() {
			return nil, st.failHere("%s() argument %d must be a string, got %s", fn, i+1, a.String())
		}
		out[i] = a.String()
	}
	return out, nil
}

func refFunc(st *state, va *exec.VarArgs) *exec.Value {
	args, bad := stringArgs(st, "ref", va, 1)
	if bad != nil {
		return bad
	}
	if st.in.Ref == nil {
		return st.failHere("ref(%q): refs are not available here", args[0])
	}
	rel, err := st.in.Ref(args[0])
	if err != nil {
		return st.failHere("ref(%q): %v", args[0], err)
	}
	st.record(&st.res.Refs, args...)
	return exec.AsValue(relValue{rel})
}

func sourceFunc(st *state, va *exec.VarArgs) *exec.Value {
	args, bad := stringArgs(st, "source", va, 2)
	if bad != nil {
		return bad
	}
	if st.in.Source == nil {
		return st.failHere("source(%q, %q): sources are not available here", args[0], args[1])
	}
	rel, err := st.in.Source(args[0], args[1])
	if err != nil {
		return st.failHere("source(%q, %q): %v", args[0], args[1], err)
	}
	st.record(&st.res.Sources, args...)
	return exec.AsValue(relValue{rel})
}

// nameAndDefault reads the (name[, default]) arguments of var() and env_var().
func nameAndDefault(st *state, fn string, va *exec.VarArgs) (string, *exec.Value, *exec.Value) {
	if len(va.Args) < 1 || len(va.Args) > 2 || len(va.KwArgs) > 0 || !va.Args[0].IsString() {
		return "", nil, st.failHere("%s() takes a name string and an optional default", fn)
	}
	var def *exec.Value
	if len(va.Args) == 2 {
		def = va.Args[1]
	}
	return va.Args[0].String(), def, nil
}

func varFunc(st *state, va *exec.VarArgs) *exec.Value {
	name, def, bad := nameAndDefault(st, "var", va)
	if bad != nil {
		return bad
	}
	if v, ok := st.in.Vars[name]; ok {
		return exec.ToValue(v)
	}
	if def != nil {
		return def
	}
	return st.failHere("var(%q): no such project var and no default given", name)
}

func envVarFunc(st *state, va *exec.VarArgs) *exec.Value {
	name, def, bad := nameAndDefault(st, "env_var", va)
	if bad != nil {
		return bad
	}
	if st.in.EnvVar != nil {
		if v, ok := st.in.EnvVar(name); ok {
			return exec.AsValue(v)
		}
	}
	if def != nil {
		return def
	}
	return st.failHere("env_var(%q): not set and no default given", name)
}

func configFunc(st *state, va *exec.VarArgs) *exec.Value {
	if len(va.Args) > 0 {
		return st.failHere("config() takes keyword arguments only, e.g. config(materialized='table')")
	}
	for k, v := range va.KwArgs {
		st.res.Config[k] = v.ToGoSimpleType(false)
	}
	return exec.AsValue("")
}

func isIncrementalFunc(st *state, va *exec.VarArgs) *exec.Value {
	if len(va.Args) > 0 || len(va.KwArgs) > 0 {
		return st.failHere("is_incremental() takes no arguments")
	}
	return exec.AsValue(st.in.IsIncremental)
}

// rangeFunc replaces gonja's range, which feeds a channel from a goroutine
// that leaks when a loop stops early; a list behaves the same in templates.
func rangeFunc(st *state, va *exec.VarArgs) *exec.Value {
	bounds := make([]int, len(va.Args))
	for i, a := range va.Args {
		if !a.IsInteger() {
			return st.failHere("range() arguments must be integers")
		}
		bounds[i] = a.Integer()
	}
	start, stop, step := 0, 0, 1
	switch len(bounds) {
	case 1:
		stop = bounds[0]
	case 2:
		start, stop = bounds[0], bounds[1]
	case 3:
		start, stop, step = bounds[0], bounds[1], bounds[2]
	default:
		return st.failHere("range() takes [start, ]stop[, step]")
	}
	if step == 0 || len(va.KwArgs) > 0 {
		return st.failHere("range() needs a non-zero step and no keyword arguments")
	}
	out := []int{}
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		if len(out) == maxRange {
			return st.failHere("range() longer than %d items", maxRange)
		}
		out = append(out, i)
	}
	return exec.AsValue(out)
}
