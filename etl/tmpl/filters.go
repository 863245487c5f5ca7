package tmpl

import (
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"

	"etlrunner/etl/warehouse"
)

// filters are gonja's builtin filters plus the project's own. Built once:
// gonja's registry is shared and guarded by its own lock.
var filters = func() *exec.FilterSet {
	fs := exec.NewFilterSet(map[string]exec.FilterFunction{}).Update(builtins.Filters)
	if err := fs.Register("sql_string", filterSQLString); err != nil {
		panic(err) // a name clash with a gonja builtin: a programming error
	}
	return fs
}()

// filterSQLString renders a value as one SQL string literal: quoted, with
// its quotes doubled, so that no value of a variable can end the literal
// and change what the statement means: {{ var('x') | sql_string }} doubles
// every quote of the value. None and undefined values are errors, not 'None'.
func filterSQLString(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	if err := params.Take(); err != nil {
		return exec.AsValue(exec.ErrInvalidCall(err))
	}
	if in.IsNil() {
		return exec.AsValue(fmt.Errorf("sql_string: the value is undefined or none"))
	}
	if !in.IsString() && !in.IsNumber() && !in.IsBool() {
		return exec.AsValue(fmt.Errorf("sql_string: %s is not a text, number or boolean", in.String()))
	}
	s := in.String()
	if strings.ContainsRune(s, 0) {
		return exec.AsValue(fmt.Errorf("sql_string: the value holds a NUL character"))
	}
	return exec.AsValue(warehouse.QuoteString(s))
}
