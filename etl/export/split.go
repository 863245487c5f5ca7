package export

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"etlrunner/etl/warehouse"
)

// maxSplits caps split_by and partition_by: beyond it the column is almost
// surely a key rather than a category.
const maxSplits = 10000

// splitValues reads the distinct values of col as text, sorted, and rejects
// any that cannot safely become part of a file name.
func splitValues(ctx context.Context, db *sql.DB, relation, col string) ([]string, error) {
	tuples, err := distinctTuples(ctx, db, relation, []string{col})
	if err != nil {
		return nil, fmt.Errorf("split_by %s: %w", col, err)
	}
	values := make([]string, len(tuples))
	for i, t := range tuples {
		if !t[0].Valid {
			return nil, fmt.Errorf("split_by %s: column has NULL values, which cannot name a file", col)
		}
		if err := checkSplitValue(t[0].String); err != nil {
			return nil, fmt.Errorf("split_by %s: %w", col, err)
		}
		values[i] = t[0].String
	}
	return values, nil
}

// checkSplitValue rejects values that would escape or break the file name.
func checkSplitValue(v string) error {
	switch {
	case v == "":
		return fmt.Errorf("empty value cannot name a file")
	case strings.ContainsAny(v, `/\`):
		return fmt.Errorf("value %q contains a path separator", v)
	case strings.Contains(v, ".."):
		return fmt.Errorf("value %q contains \"..\"", v)
	case strings.ContainsRune(v, 0):
		return fmt.Errorf("value %q contains a NUL byte", v)
	}
	return nil
}

// pivotOutput builds the wide query for the rows matching where (all rows
// when empty): the index columns, then one column per distinct name.
func pivotOutput(ctx context.Context, db *sql.DB, spec Spec, where, outPath string) (output, error) {
	p := spec.Pivot
	filter := ""
	if where != "" {
		filter = " WHERE " + where
	}
	names, err := pivotNames(ctx, db, spec.Relation, p, filter)
	if err != nil {
		return output{}, err
	}
	if err := checkPivotNames(p.Index, names); err != nil {
		return output{}, err
	}
	nameExpr := fmt.Sprintf("CAST(%s.%s AS VARCHAR)", srcAlias, warehouse.QuoteIdent(p.Names))
	values := srcAlias + "." + warehouse.QuoteIdent(p.Values)
	var sel, group []string
	for _, c := range p.Index {
		ref := srcAlias + "." + warehouse.QuoteIdent(c)
		sel = append(sel, ref)
		group = append(group, ref)
	}
	for _, n := range names {
		sel = append(sel, fmt.Sprintf("max(%s) FILTER (WHERE %s = %s) AS %s",
			values, nameExpr, warehouse.QuoteString(n), warehouse.QuoteIdent(n)))
	}
	source := fmt.Sprintf("(SELECT %s FROM %s AS %s%s GROUP BY %s)",
		strings.Join(sel, ", "), spec.Relation, srcAlias, filter, strings.Join(group, ", "))
	cols, err := warehouse.Describe(ctx, db, source)
	if err != nil {
		return output{}, err
	}
	o := output{path: outPath, unit: outPath, source: source, cols: cols}
	terms := spec.OrderBy
	if len(terms) == 0 {
		terms = p.Index
	}
	// The index is unique per output row, so it settles every tie.
	if err := o.setOrder(terms, p.Index); err != nil {
		return output{}, err
	}
	return o, nil
}

// pivotNames lists the distinct names in column order: by the smallest
// Order value of each name, then by the name itself.
func pivotNames(ctx context.Context, db *sql.DB, relation string, p *Pivot, filter string) ([]string, error) {
	key := fmt.Sprintf("CAST(%s.%s AS VARCHAR)", srcAlias, warehouse.QuoteIdent(p.Names))
	order := "k"
	if p.Order != "" {
		order = fmt.Sprintf("min(%s.%s), k", srcAlias, warehouse.QuoteIdent(p.Order))
	}
	cond := " WHERE "
	if filter != "" {
		cond = filter + " AND "
	}
	q := fmt.Sprintf("SELECT %s AS k FROM %s AS %s%s%s IS NOT NULL GROUP BY k ORDER BY %s",
		key, relation, srcAlias, cond, key, order)
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("pivot names: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("pivot names: %w", err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pivot names: %w", err)
	}
	return names, nil
}

// checkPivotNames rejects names DuckDB would rename or merge: identifiers
// compare case-insensitively, so "Name" and "name" would collide.
func checkPivotNames(index, names []string) error {
	seen := map[string]string{}
	for _, c := range index {
		seen[strings.ToLower(c)] = c
	}
	for _, n := range names {
		if n == "" {
			return fmt.Errorf("pivot: an empty name cannot become a column")
		}
		if prev, ok := seen[strings.ToLower(n)]; ok {
			return fmt.Errorf("pivot: name %q collides with column %q", n, prev)
		}
		seen[strings.ToLower(n)] = n
	}
	return nil
}
