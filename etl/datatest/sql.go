// Package datatest turns data tests into queries whose rows are failures,
// and runs them: a count of failing rows and a small sample to show.
package datatest

import (
	"fmt"
	"strings"

	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

// Relations tells a test where things live.
type Relations struct {
	// Model returns the quoted relation of a model by name.
	Model func(name string) string
	// Rejects returns the quoted rejects table of a model.
	Rejects func(name string) string
	// Source returns the quoted landing table a model reads, for the row audit.
	Source func(name string) string
	// Batch, when set, returns the quoted table of the rows a model added
	// in this run, or "" when the whole model must be checked. A test whose
	// earlier rows all passed needs to check only those: see SQL.
	Batch func(name string) string
	// KeysKept reports whether every value a model's column held before
	// this run is still there, so a relationships test of new child rows
	// need not look at the old ones.
	KeysKept func(model, column string) bool
}

// SQL returns the query whose rows are the failures of t. Singular tests
// carry their own compiled SQL and are not handled here.
//
// With a batch, a test checks only what the batch can break: row tests
// (not_null, accepted_values, expression_is_true) read the batch; unique
// counts, in the whole model, the keys the batch holds; relationships
// checks the batch's rows against the parent when the parent kept every
// key it had. The row audit always counts whole tables.
func SQL(t *project.Test, rel Relations) (string, error) {
	m := rel.Model(t.Model)
	batch := ""
	if rel.Batch != nil {
		batch = rel.Batch(t.Model)
	}
	cols := t.Columns
	if t.Column != "" {
		cols = []string{t.Column}
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = warehouse.QuoteIdent(c)
	}
	list := strings.Join(quoted, ", ")
	rows := m // the rows a row-by-row test reads
	if batch != "" {
		rows = batch
	}
	switch t.Kind {
	case project.NotNull:
		var conds []string
		for _, c := range quoted {
			conds = append(conds, c+" IS NULL")
		}
		return fmt.Sprintf("SELECT * FROM %s WHERE %s", rows, strings.Join(conds, " OR ")), nil
	case project.Unique:
		var notNull []string
		for _, c := range quoted {
			notNull = append(notNull, c+" IS NOT NULL")
		}
		from := m
		if batch != "" {
			// Only keys the batch holds can have become duplicates.
			from = fmt.Sprintf("%s SEMI JOIN (SELECT DISTINCT %s FROM %s) USING (%s)", m, list, batch, list)
		}
		return fmt.Sprintf("SELECT %s, count(*) AS n_records FROM %s WHERE %s GROUP BY %s HAVING count(*) > 1",
			list, from, strings.Join(notNull, " AND "), list), nil
	case project.AcceptedValues:
		vals := make([]string, len(t.Values))
		for i, v := range t.Values {
			vals[i] = v
			if t.Quote {
				vals[i] = warehouse.QuoteString(v)
			}
		}
		return fmt.Sprintf("SELECT %s AS value, count(*) AS n_records FROM %s WHERE %s IS NOT NULL AND %s NOT IN (%s) GROUP BY 1",
			quoted[0], rows, quoted[0], quoted[0], strings.Join(vals, ", ")), nil
	case project.Relationships:
		child := m
		if batch != "" && rel.KeysKept != nil && rel.KeysKept(t.To, t.Field) {
			child = batch
		}
		return fmt.Sprintf("SELECT child.%s AS missing_key, count(*) AS n_records FROM %s AS child "+
			"WHERE child.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s AS parent WHERE parent.%s = child.%s) GROUP BY 1",
			quoted[0], child, quoted[0], rel.Model(t.To), warehouse.QuoteIdent(t.Field), quoted[0]), nil
	case project.ExpressionIsTrue:
		return fmt.Sprintf("SELECT * FROM %s WHERE NOT coalesce((%s), false)", rows, t.Expression), nil
	case project.RowConservation:
		return fmt.Sprintf("SELECT * FROM (SELECT (SELECT count(*) FROM %s) AS raw_rows, (SELECT count(*) FROM %s) AS kept_rows, "+
			"(SELECT count(*) FROM %s) AS rejected_rows) WHERE raw_rows <> kept_rows + rejected_rows",
			rel.Source(t.Model), m, rel.Rejects(t.Model)), nil
	}
	return "", fmt.Errorf("datatest: no SQL for test kind %q", t.Kind)
}
