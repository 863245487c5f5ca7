package tmpl

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	controls "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// rewriter prepares a parsed tree for positioned rendering:
//   - every call by name, f(...), becomes tmpl.call(id), and the dispatcher
//     evaluates the original call with the site pushed on the call stack;
//   - every statement ({{ }} or {% %}) is wrapped so a failure inside it is
//     recorded at the statement's position.
//
// gonja keeps expressions in unexported fields of its control structures (the
// value of {% set %}, for one), so the walk is reflective and reaches the
// nodes it rewrites through their addresses.
type rewriter struct {
	file    string
	model   bool
	firstID int
	macro   string
	sites   []*site
	seen    map[visit]bool
}

type visit struct {
	addr uintptr
	typ  reflect.Type
}

var (
	typeCall     = reflect.TypeFor[*nodes.Call]()
	typeMacro    = reflect.TypeFor[*nodes.Macro]()
	typeWrapper  = reflect.TypeFor[*nodes.Wrapper]()
	typeTemplate = reflect.TypeFor[*nodes.Template]()
)

func rewrite(root *nodes.Template, file string, model bool, firstID int) []*site {
	rw := &rewriter{file: file, model: model, firstID: firstID, seen: map[visit]bool{}}
	rw.walk(reflect.ValueOf(root))
	return rw.sites
}

func (rw *rewriter) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		key := visit{v.Pointer(), v.Type()}
		if rw.seen[key] {
			return
		}
		rw.seen[key] = true
		rw.walkPointer(v)
	case reflect.Interface:
		if !v.IsNil() {
			rw.walk(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			rw.walk(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			rw.walk(v.Index(i))
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			rw.walk(iter.Value())
		}
	}
}

func (rw *rewriter) walkPointer(v reflect.Value) {
	switch v.Type() {
	case typeMacro:
		m := (*nodes.Macro)(v.UnsafePointer())
		outer := rw.macro
		rw.macro = m.Name
		rw.walk(v.Elem())
		rw.macro = outer
	case typeCall:
		rw.walk(v.Elem())
		rw.call((*nodes.Call)(v.UnsafePointer()))
	case typeWrapper:
		rw.walk(v.Elem())
		w := (*nodes.Wrapper)(v.UnsafePointer())
		rw.wrapAll(w.Nodes)
	case typeTemplate:
		rw.walk(v.Elem())
		t := (*nodes.Template)(v.UnsafePointer())
		rw.wrapAll(t.Nodes)
	default:
		rw.walk(v.Elem())
	}
}

func (rw *rewriter) at(tok *tokens.Token) pos {
	p := pos{file: rw.file, macro: rw.macro, model: rw.model}
	if tok != nil {
		p.line, p.col = tok.Line, tok.Col
	}
	return p
}

// call redirects c to the dispatcher, keeping a copy of the original.
func (rw *rewriter) call(c *nodes.Call) {
	name, ok := c.Func.(*nodes.Name)
	if !ok || name.Name == nil {
		return
	}
	orig := *c
	id := rw.firstID + len(rw.sites)
	rw.sites = append(rw.sites, &site{pos: rw.at(name.Name), name: name.Name.Val, call: &orig})

	fn := *name.Name
	fn.Val = dispatchName
	num := fn
	num.Type, num.Val = tokens.Integer, strconv.Itoa(id)
	c.Func = &nodes.Name{Name: &fn}
	c.Args = []nodes.Expression{&nodes.Integer{Location: &num, Val: id}}
	c.Kwargs = map[string]nodes.Expression{}
}

func (rw *rewriter) wrapAll(list []nodes.Node) {
	for i, n := range list {
		var tok *tokens.Token
		switch n := n.(type) {
		case *nodes.Output:
			tok = n.Start
		case *nodes.ControlStructureBlock:
			tok = n.Location
		default:
			continue
		}
		list[i] = &nodes.ControlStructureBlock{
			Location:         tok,
			Name:             "statement",
			ControlStructure: &statement{inner: n, at: rw.at(tok)},
		}
	}
}

// statement renders one original node and records a failure at its position;
// the innermost statement records first, so nested ones keep the exact line.
type statement struct {
	inner nodes.Node
	at    pos
}

func (s *statement) Position() *tokens.Token { return s.inner.Position() }
func (s *statement) String() string          { return s.inner.String() }

func (s *statement) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) (err error) {
	st := stateOf(r.Environment.Context)
	defer func() {
		// gonja panics on some odd expressions (e.g. '%' with string operands);
		// failing the statement gives the user a line to look at.
		if p := recover(); p != nil {
			err = fmt.Errorf("template engine failure: %v", p)
			if st != nil {
				st.fail(s.at, err.Error())
			}
		}
	}()
	err = s.visit(r, st)
	if err == nil || loopControl(err) {
		return err
	}
	if st != nil && st.stop == nil {
		st.fail(s.at, innermost(err))
	}
	return err
}

// visit renders the node, escaping what an output statement writes when
// the render asks for it.
func (s *statement) visit(r *exec.Renderer, st *state) error {
	out, ok := s.inner.(*nodes.Output)
	if !ok || st == nil || st.in.Escape == nil || markedSafe(out) {
		_, err := r.Visit(s.inner)
		return err
	}
	var buf strings.Builder
	w := r.Output
	r.Output = &buf
	_, err := r.Visit(s.inner)
	r.Output = w
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, st.in.Escape(buf.String()))
	return err
}

// markedSafe reports whether an output's last filter is safe.
func markedSafe(out *nodes.Output) bool {
	f, ok := out.Expression.(*nodes.FilteredExpression)
	return ok && len(f.Filters) > 0 && f.Filters[len(f.Filters)-1].Name == "safe"
}

func loopControl(err error) bool {
	var brk *controls.LoopBreakError
	var cont *controls.LoopContinueError
	return errors.As(err, &brk) || errors.As(err, &cont)
}
