package tmpl

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// parse turns source into a gonja template, or a positioned *Error.
func parse(cfg *config.Config, env *exec.Environment, file, source string) (*exec.Template, error) {
	tpl, err := exec.NewTemplate(file, cfg, &onlyLoader{name: file, source: source}, env)
	if err == nil {
		return tpl, nil
	}
	var syn *parser.SyntaxError
	if errors.As(err, &syn) && syn.Line > 0 {
		msg := syn.Message
		if syn.Raw != "" {
			msg += fmt.Sprintf(" (near %q)", syn.Raw)
		}
		return nil, &Error{File: file, Line: syn.Line, Col: syn.Column, Msg: "syntax error: " + msg}
	}
	line, col := failedTag(cfg, env, file, source)
	return nil, &Error{File: file, Line: line, Col: col, Msg: "syntax error: " + innermost(err)}
}

// failedTag finds where parsing stopped when gonja's error carries no
// position: the parse is repeated and the last tag opened before the
// parser's stopping point is the one it choked on.
func failedTag(cfg *config.Config, env *exec.Environment, file, source string) (line, col int) {
	p := parser.NewParser(file, tokens.LexAll(source, cfg), cfg, &onlyLoader{name: file, source: source}, env.ControlStructures)
	if _, err := p.Parse(); err == nil {
		return 0, 0
	}
	stop := len(source)
	if cur := p.Current(); cur != nil {
		stop = cur.Pos
	}
	all := tokens.LexAll(source, cfg)
	for tok := all.Current(); tok != nil && !all.End() && tok.Pos < stop; tok = all.Next() {
		if tok.Type == tokens.BlockBegin || tok.Type == tokens.VariableBegin {
			line, col = tok.Line, tok.Col
		}
	}
	return line, col
}

// onlyLoader serves the template being parsed, once: a render sees no files,
// so include, import and extends fail instead of reading the disk or looping
// on themselves.
type onlyLoader struct {
	name, source string
	used         bool
}

func (l *onlyLoader) Read(path string) (io.Reader, error) {
	if path != l.name || l.used {
		return nil, fmt.Errorf("cannot load %q: templates cannot include, import or extend files", path)
	}
	l.used = true
	return strings.NewReader(l.source), nil
}

func (l *onlyLoader) Resolve(path string) (string, error) { return path, nil }

func (l *onlyLoader) Inherit(string) (loaders.Loader, error) { return l, nil }
