package project

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a problem in a project file, positioned at the offending text.
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	default:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
}

// Errors collects every problem found in a project so one load reports them
// all, in a stable order.
type Errors []error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap lets errors.As find the first positioned error.
func (es Errors) Unwrap() []error { return es }

// errorList accumulates errors while loading.
type errorList struct{ errs Errors }

func (l *errorList) add(err error) {
	if err == nil {
		return
	}
	var many Errors
	if errors.As(err, &many) {
		l.errs = append(l.errs, many...)
		return
	}
	l.errs = append(l.errs, err)
}

func (l *errorList) addf(file string, line, col int, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	return l.errs
}
