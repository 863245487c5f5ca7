package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"etlrunner/etl/warehouse"
)

// Rows a load inserted and has not yet numbered are the only ones with a
// negative _source_line, and they sit in the row groups it appended, so
// filtering on it lets DuckDB skip the rest of the table by its min/max
// statistics.
const newRows = "_source_line < 0"

// countRows takes each loaded file's row count with a GROUP BY over the
// rows just inserted and, for JSON, checks that no contract key is absent
// from a whole file. It reports whether any CSV value spans lines.
func countRows(ctx context.Context, tx *sql.Tx, format Format, c contract, load []*file) (bool, error) {
	sel := []string{warehouse.QuoteIdent(colSourceFile), "count(*)", "min(_source_line)"}
	if format == FormatJSON || format == FormatNDJSON {
		for _, d := range c.data {
			sel = append(sel, fmt.Sprintf("count(%s)", warehouse.QuoteIdent(d)))
		}
	}
	rows, err := tx.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s WHERE %s GROUP BY 1",
		strings.Join(sel, ", "), c.qualified(), newRows))
	if err != nil {
		return false, fmt.Errorf("count rows: %w", err)
	}
	defer rows.Close()
	byPath := make(map[string]*file, len(load))
	for _, f := range load {
		byPath[f.path] = f
	}
	type suspect struct {
		f     *file
		empty []int
	}
	var suspects []suspect
	spans := false
	for rows.Next() {
		var path string
		var n, marker int64
		counts := make([]int64, len(sel)-3)
		dest := []any{&path, &n, &marker}
		for i := range counts {
			dest = append(dest, &counts[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return false, fmt.Errorf("count rows: %w", err)
		}
		f := byPath[path]
		if f == nil {
			return false, fmt.Errorf("count rows: rows for unexpected file %s", path)
		}
		f.rows = n
		spans = spans || marker < -1
		var empty []int
		for i, k := range counts {
			if k == 0 {
				empty = append(empty, i)
			}
		}
		if len(empty) > 0 {
			suspects = append(suspects, suspect{f, empty})
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("count rows: %w", err)
	}
	rows.Close()
	for _, s := range suspects {
		if err := checkJSONKeys(ctx, tx, c, s.f, s.empty); err != nil {
			return false, err
		}
	}
	return spans, nil
}

// numberLines replaces the markers with line numbers. Within a file, rows
// were inserted in file order, so a row's position is its rowid minus the
// file's first rowid; plus one for the CSV header. A CSV row's marker is
// -1 minus the line breaks inside its values; when there are any, the
// breaks of the file's earlier rows are added too.
func numberLines(ctx context.Context, tx *sql.Tx, format Format, c contract, spans bool) error {
	first := 1
	if format == FormatCSV {
		first = 2
	}
	q := fmt.Sprintf(`UPDATE %[1]s AS t SET _source_line = t.rowid - b.base + %[2]d
FROM (SELECT _source_file AS f, min(rowid) AS base FROM %[1]s WHERE %[3]s GROUP BY 1) b
WHERE t.%[3]s AND t._source_file = b.f`, c.qualified(), first, newRows)
	if spans {
		q = fmt.Sprintf(`UPDATE %[1]s AS t SET _source_line = x.line
FROM (SELECT rowid AS rid,
             rowid - min(rowid) OVER w + %[2]d
             + coalesce(sum(-1 - _source_line) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS line
      FROM %[1]s WHERE %[3]s
      WINDOW w AS (PARTITION BY _source_file ORDER BY rowid)) x
WHERE t.%[3]s AND t.rowid = x.rid`, c.qualified(), first, newRows)
	}
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("number lines: %w", err)
	}
	return nil
}
