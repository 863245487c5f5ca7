package tmpl

import (
	"github.com/nikolalohinski/gonja/v2/exec"

	"etlrunner/etl/warehouse"
)

// Relation is a schema-qualified table or view.
type Relation struct{ Schema, Name string }

// String renders the relation quoted, ready to paste into SQL.
func (r Relation) String() string { return warehouse.Qualified(r.Schema, r.Name) }

// relValue is how a Relation looks inside templates: it prints quoted and
// exposes its unquoted parts under dbt's attribute names.
type relValue struct{ rel Relation }

func (v relValue) String() string { return v.rel.String() }

func (v relValue) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "schema":
		return exec.AsValue(v.rel.Schema), true
	case "name", "identifier", "table":
		return exec.AsValue(v.rel.Name), true
	}
	return exec.AsValue(nil), false
}
