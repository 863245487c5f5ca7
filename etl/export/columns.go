package export

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"etlrunner/etl/warehouse"
)

// relationColumns lists the columns of relation. A plain "schema"."name"
// goes through the catalog; anything else (a view in another catalog, a
// subquery) is described by DuckDB itself.
func relationColumns(ctx context.Context, db *sql.DB, relation string) ([]warehouse.Column, error) {
	parts, err := parseRelation(relation)
	if err != nil || len(parts) != 2 {
		return warehouse.Describe(ctx, db, relation)
	}
	cols, err := warehouse.Columns(ctx, db, parts[0], parts[1])
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("relation %s does not exist or has no columns", relation)
	}
	return cols, nil
}

// parseRelation splits a dotted name whose every part is a double-quoted
// identifier ("a"."b") into its unquoted parts.
func parseRelation(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	var parts []string
	for {
		if !strings.HasPrefix(s, `"`) {
			return nil, fmt.Errorf("relation %q: expected a quoted identifier", s)
		}
		var b strings.Builder
		i := 1
		for {
			j := strings.IndexByte(s[i:], '"')
			if j < 0 {
				return nil, errors.New("relation: unterminated quoted identifier")
			}
			b.WriteString(s[i : i+j])
			i += j + 1
			if i < len(s) && s[i] == '"' {
				b.WriteByte('"')
				i++
				continue
			}
			break
		}
		parts = append(parts, b.String())
		s = s[i:]
		if s == "" {
			return parts, nil
		}
		if s[0] != '.' {
			return nil, fmt.Errorf("relation: unexpected %q after identifier", s)
		}
		s = s[1:]
	}
}

// parseOrderTerm reads "column", "column ASC" or "column DESC" and returns
// the column and the rendered direction (empty or " DESC").
func parseOrderTerm(term string) (string, string, error) {
	t := strings.TrimSpace(term)
	dir := ""
	if i := strings.LastIndexAny(t, " \t"); i >= 0 {
		switch strings.ToUpper(t[i+1:]) {
		case "ASC":
			t = strings.TrimSpace(t[:i])
		case "DESC":
			t, dir = strings.TrimSpace(t[:i]), " DESC"
		}
	}
	if t == "" {
		return "", "", fmt.Errorf("order_by term %q names no column", term)
	}
	return t, dir, nil
}
