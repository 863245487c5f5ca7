package deliver

import (
	"context"
	"strings"

	"etlrunner/etl/warehouse"
)

func hasColumn(cols []warehouse.Column, name string) bool {
	for _, c := range cols {
		if c.Name == name {
			return true
		}
	}
	return false
}

// selectList reads each column as a template uses it: numbers, booleans
// and text as they are, decimals as numbers, lists of text as lists, and
// everything else (dates, timestamps, structs) as DuckDB writes it as text.
func selectList(cols []warehouse.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		q := warehouse.QuoteIdent(c.Name)
		switch t := c.Type; {
		case plainType(t):
			parts[i] = q
		case strings.HasPrefix(t, "DECIMAL"), t == "HUGEINT", t == "UHUGEINT":
			parts[i] = "CAST(" + q + " AS DOUBLE) AS " + q
		case strings.HasSuffix(t, "[]") && !strings.Contains(t, "(") && plainType(strings.TrimSuffix(t, "[]")):
			parts[i] = q
		case strings.HasSuffix(t, "[]") && !strings.Contains(strings.TrimSuffix(t, "[]"), "["):
			parts[i] = "CAST(" + q + " AS VARCHAR[]) AS " + q
		default:
			parts[i] = "CAST(" + q + " AS VARCHAR) AS " + q
		}
	}
	return strings.Join(parts, ", ")
}

func plainType(t string) bool {
	switch t {
	case "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "VARCHAR":
		return true
	}
	return false
}

// readRows runs query and returns its rows as column name -> value. These
// are the few rows a message is rendered from (alerts, statistics), not a
// table's worth.
func readRows(ctx context.Context, q warehouse.Querier, query string, args ...any) ([]map[string]any, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(map[string]any, len(names))
		for i, n := range names {
			row[n] = vals[i]
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// EscapeSlack keeps a value from adding Slack markup (a mention, a link)
// to a webhook's text.
func EscapeSlack(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
