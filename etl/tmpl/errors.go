package tmpl

import (
	"errors"
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Error is a template failure positioned in a file. Line and Col are 1-based;
// zero means unknown.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	case e.Col == 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	default:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
}

// errorAt positions msg at tok, which may be missing.
func errorAt(file string, tok *tokens.Token, msg string) *Error {
	e := &Error{File: file, Msg: msg}
	if tok != nil {
		e.Line, e.Col = tok.Line, tok.Col
	}
	return e
}

// innermost digs through gonja's wrapping ("Unable to render expression at
// line N: ...") down to the message that says what actually went wrong; the
// position is reported separately, so the outer layers are only noise.
func innermost(err error) string {
	for range 100 {
		if v, ok := err.(*exec.Value); ok {
			inner, ok := v.Interface().(error)
			if !ok || inner == error(v) {
				break
			}
			err = inner
			continue
		}
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	return err.Error()
}
