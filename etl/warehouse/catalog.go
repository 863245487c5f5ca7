package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Column is one column of a relation as the catalog describes it.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// RelationKind reports "table", "view" or "" when schema.name does not exist.
func RelationKind(ctx context.Context, q Querier, schema, name string) (string, error) {
	var kind string
	err := q.QueryRowContext(ctx, `
		SELECT CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END
		FROM information_schema.tables
		WHERE table_schema = ? AND table_name = ?`, schema, name).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up %s.%s: %w", schema, name, err)
	}
	return kind, nil
}

// Columns lists the columns of schema.name in their declared order.
func Columns(ctx context.Context, q Querier, schema, name string) ([]Column, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT column_name, data_type
		FROM information_schema.columns
		WHERE table_schema = ? AND table_name = ?
		ORDER BY ordinal_position`, schema, name)
	cols, err := scanColumns(rows, err)
	if err != nil {
		return nil, fmt.Errorf("columns of %s.%s: %w", schema, name, err)
	}
	return cols, nil
}

// Describe asks DuckDB for the columns a relation or a parenthesised query
// yields: unlike Columns it also sees temporary tables and subqueries.
func Describe(ctx context.Context, q Querier, source string) ([]Column, error) {
	cols, err := scanColumns(q.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+source+")"))
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", source, err)
	}
	return cols, nil
}

// scanColumns reads (name, type) rows.
func scanColumns(rows *sql.Rows, err error) ([]Column, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// ColumnSet is the set of a relation's (or query's) column names,
// lower-cased.
func ColumnSet(ctx context.Context, q Querier, source string) (map[string]bool, error) {
	desc, err := Describe(ctx, q, source)
	if err != nil {
		return nil, err
	}
	cols := make(map[string]bool, len(desc))
	for _, c := range desc {
		cols[strings.ToLower(c.Name)] = true
	}
	return cols, nil
}
