// Package datatest turns data tests into queries whose rows are failures,
// and runs them: a count of failing rows and a small sample to show.
package datatest

import (
	"fmt"
	"slices"
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
	// Changes, when set, tells what this run did to any model: unique
	// may read only the batch, and relationships checks only new child
	// rows when the parent kept its keys, looking in the parent's new rows
	// first.
	Changes func(model string) Change
}

// Change is what a run did to a model, as far as tests need to know; the
// zero value means the run did not build it.
type Change struct {
	// Rebuilt: the model was replaced in full, so nothing is known of which
	// values it lost.
	Rebuilt bool
	// Added is the quoted table of the rows an incremental run added.
	Added string
	// Key is the unique_key by which the run replaced rows (delete+insert);
	// empty when it only appended.
	Key []string
	// Lost: some keys may have lost their rows without a replacement
	// (batch: key), so the model may no longer hold a value it held.
	Lost bool
}

// kept reports whether the model still holds every value its column held
// before the run: it was not built, or only appended, or replaced rows by
// a key that holds the column, so every value deleted was inserted again.
func (c Change) kept(column string) bool {
	return !c.Rebuilt && !c.Lost && (c.Added == "" || len(c.Key) == 0 || slices.Contains(c.Key, column))
}

// SQL returns the query whose rows are the failures of t. Singular tests
// carry their own compiled SQL and are not handled here.
//
// With a batch, a test checks only what the batch can break: row tests
// (not_null, accepted_values, expression_is_true) read the batch; unique
// counts, in the whole model, the keys the batch holds, or only the batch
// when the run replaced rows by a key within the tested columns (an older
// row with the batch's key was deleted); relationships checks the batch's
// rows when the parent kept every key it had. The row audit always counts
// whole tables.
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
		switch {
		case batch != "" && replacesWithin(rel.change(t.Model), cols):
			from = batch
		case batch != "":
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
		return relationshipsSQL(t, rel, m, batch, quoted[0]), nil
	case project.ExpressionIsTrue:
		return fmt.Sprintf("SELECT * FROM %s WHERE NOT coalesce((%s), false)", rows, t.Expression), nil
	case project.RowConservation:
		return fmt.Sprintf("SELECT * FROM (SELECT (SELECT count(*) FROM %s) AS raw_rows, (SELECT count(*) FROM %s) AS kept_rows, "+
			"(SELECT count(*) FROM %s) AS rejected_rows) WHERE raw_rows <> kept_rows + rejected_rows",
			rel.Source(t.Model), m, rel.Rejects(t.Model)), nil
	}
	return "", fmt.Errorf("datatest: no SQL for test kind %q", t.Kind)
}

func (rel Relations) change(model string) Change {
	if rel.Changes == nil {
		return Change{}
	}
	return rel.Changes(model)
}

// replacesWithin reports whether the run replaced the model's rows by a
// key made only of cols.
func replacesWithin(c Change, cols []string) bool {
	if c.Added == "" || len(c.Key) == 0 {
		return false
	}
	for _, k := range c.Key {
		if !slices.Contains(cols, k) {
			return false
		}
	}
	return true
}

// relationshipsSQL finds child keys without a parent row. With a batch and
// a parent that kept its keys, only the batch's rows are checked, against
// the parent's new rows first: when those hold every key, DuckDB never
// reads the rest of the parent.
func relationshipsSQL(t *project.Test, rel Relations, model, batch, col string) string {
	field := warehouse.QuoteIdent(t.Field)
	pc := rel.change(t.To)
	child := model
	orphan := fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s AS parent WHERE parent.%s = child.%s)", rel.Model(t.To), field, col)
	if batch != "" && pc.kept(t.Field) {
		child = batch
		if pc.Added != "" {
			orphan = fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s AS parent WHERE parent.%s = child.%s) AND %s", pc.Added, field, col, orphan)
		}
	}
	return fmt.Sprintf("SELECT child.%[1]s AS missing_key, count(*) AS n_records FROM %[2]s AS child "+
		"WHERE child.%[1]s IS NOT NULL AND %[3]s GROUP BY 1", col, child, orphan)
}
