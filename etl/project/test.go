package project

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Kinds of data test.
const (
	NotNull          = "not_null"
	Unique           = "unique"
	AcceptedValues   = "accepted_values"
	Relationships    = "relationships"
	ExpressionIsTrue = "expression_is_true"
	Singular         = "singular"
	RowConservation  = "row_conservation"
)

// Test is one data test: a query whose rows are failures.
type Test struct {
	Kind       string   `json:"kind"`
	Model      string   `json:"model,omitempty"`
	Column     string   `json:"column,omitempty"`
	Columns    []string `json:"columns,omitempty"`
	Values     []string `json:"values,omitempty"`
	Quote      bool     `json:"quote,omitempty"`
	To         string   `json:"to,omitempty"`
	Field      string   `json:"field,omitempty"`
	Expression string   `json:"expression,omitempty"`
	Severity   string   `json:"severity"`
	File       string   `json:"file"`
	Line       int      `json:"line"`
}

// Name is a stable, readable identifier in dbt's manner.
func (t *Test) Name() string {
	parts := []string{t.Kind, t.Model}
	switch {
	case t.Column != "":
		parts = append(parts, t.Column)
	case len(t.Columns) > 0:
		parts = append(parts, strings.Join(t.Columns, "__"))
	}
	if t.Kind == Relationships {
		parts = append(parts, t.To)
	}
	return strings.Join(parts, "_")
}

// SingularTest is a SQL file under tests/ returning failing rows.
type SingularTest struct {
	Name string
	Path string
	SQL  string
}

// TestSpec is a test as written in YAML: `not_null`, or
// `accepted_values: {values: [...]}`, with an optional severity.
type TestSpec struct {
	node *yaml.Node
}

// UnmarshalYAML keeps the node so the test can be checked with its position.
func (s *TestSpec) UnmarshalYAML(n *yaml.Node) error {
	s.node = n
	return nil
}

type testArgs struct {
	Values     []string   `yaml:"values"`
	Quote      *bool      `yaml:"quote"`
	To         string     `yaml:"to"`
	Field      string     `yaml:"field"`
	Columns    StringList `yaml:"columns"`
	Column     string     `yaml:"column_name"`
	Expression string     `yaml:"expression"`
	Severity   string     `yaml:"severity"`
}

var refCall = regexp.MustCompile(`^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$`)

// test turns the spec into a Test for model (and column, when given).
func (s TestSpec) test(file, model, column string) (*Test, error) {
	n := s.node
	t := &Test{Model: model, Column: column, Severity: "error", File: file, Line: n.Line, Quote: true}
	var args testArgs
	switch {
	case n.Kind == yaml.ScalarNode:
		t.Kind = n.Value
	case n.Kind == yaml.MappingNode && len(n.Content) == 2:
		t.Kind = n.Content[0].Value
		if err := decodeNode(file, n.Content[1], &args); err != nil {
			return nil, err
		}
	default:
		return nil, nodeError(file, n, "a test is a name or a mapping of one name to its arguments")
	}
	if args.Column != "" {
		t.Column = args.Column
	}
	t.Columns, t.Values, t.Field, t.Expression = args.Columns, args.Values, args.Field, args.Expression
	if args.Quote != nil {
		t.Quote = *args.Quote
	}
	if args.Severity != "" {
		t.Severity = args.Severity
	}
	if m := refCall.FindStringSubmatch(args.To); m != nil {
		t.To = m[1]
	} else {
		t.To = strings.TrimSpace(args.To)
	}
	if err := t.check(); err != nil {
		return nil, nodeError(file, n, "test %s on %s: %v", t.Kind, model, err)
	}
	return t, nil
}

func (t *Test) check() error {
	if t.Severity != "error" && t.Severity != "warn" {
		return fmt.Errorf("severity must be error or warn")
	}
	needColumn := func() error {
		if t.Column == "" && len(t.Columns) == 0 {
			return fmt.Errorf("needs a column (put it under a column, or give columns)")
		}
		return nil
	}
	switch t.Kind {
	case NotNull, Unique:
		return needColumn()
	case AcceptedValues:
		if len(t.Values) == 0 {
			return fmt.Errorf("needs values")
		}
		return needColumn()
	case Relationships:
		if t.To == "" || t.Field == "" {
			return fmt.Errorf("needs to and field")
		}
		return needColumn()
	case ExpressionIsTrue:
		if t.Expression == "" {
			return fmt.Errorf("needs an expression")
		}
		return nil
	}
	return fmt.Errorf("unknown test (known: %s)", strings.Join([]string{NotNull, Unique, AcceptedValues, Relationships, ExpressionIsTrue}, ", "))
}

func (p *Project) loadTests(fsys fs.FS) error {
	files, err := readDir(fsys, TestsDir, ".sql")
	if err != nil {
		return err
	}
	for _, f := range sortedPaths(files) {
		p.Tests = append(p.Tests, &SingularTest{Name: stem(f), Path: f, SQL: files[f]})
	}
	return nil
}
