package serve

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"

	"etlrunner/etl/warehouse"
)

// answer is a rendered response body.
type answer struct {
	body        []byte
	contentType string
}

// rows answers GET /api/models/{name}/rows. The whole answer is rendered
// inside the consistency check, so one that raced a publish is thrown
// away and read again rather than sent.
func (c *catalog) rows(ctx context.Context, name string, p page) (answer, error) {
	var out answer
	err := c.consistent(ctx, func(s *snapshot) error {
		m, err := s.model(name)
		if err != nil {
			return err
		}
		return c.use(s, m, func() error {
			cols, hive, err := m.columns(ctx, c.db, c.prefixKeys)
			if err != nil {
				return err
			}
			st, err := plan(m, cols, hive, p)
			if err != nil {
				return err
			}
			if err := c.checkValues(ctx, st.casts); err != nil {
				return err
			}
			total, cells, err := c.fetch(ctx, st, p)
			if err != nil {
				return fmt.Errorf("model %s: %w", name, err)
			}
			if p.csv {
				out, err = renderCSV(cols, cells)
			} else {
				out, err = renderJSON(name, cols, cells, p, total)
			}
			return err
		})
	})
	return out, err
}

// checkValues refuses a filter value that is not of its column's type,
// naming the column, rather than failing the query.
func (c *catalog) checkValues(ctx context.Context, casts []filterCast) error {
	for _, f := range casts {
		var bad bool
		if err := c.db.QueryRowContext(ctx, "SELECT TRY_CAST(? AS "+f.typ+") IS NULL", f.value).Scan(&bad); err != nil {
			return fmt.Errorf("check the value of %s: %w", f.column, err)
		}
		if bad {
			return badRequest("%q is not a %s, the type of column %q", f.value, f.typ, f.column)
		}
	}
	return nil
}

// fetch counts the matching rows and reads the page's cells as text.
func (c *catalog) fetch(ctx context.Context, st statement, p page) (int64, [][]sql.NullString, error) {
	if st.rows == "" {
		return 0, nil, nil
	}
	args := make([]any, 0, len(st.casts)+2)
	for _, f := range st.casts {
		args = append(args, f.value)
	}
	var total int64
	if err := c.db.QueryRowContext(ctx, st.count, args...).Scan(&total); err != nil {
		return 0, nil, fmt.Errorf("count rows: %w", err)
	}
	rows, err := c.db.QueryContext(ctx, st.rows, append(args, p.limit, p.offset)...)
	if err != nil {
		return 0, nil, fmt.Errorf("read rows: %w", err)
	}
	defer rows.Close()
	var out [][]sql.NullString
	for rows.Next() {
		cells := make([]sql.NullString, len(st.cols))
		ptrs := make([]any, len(cells))
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return 0, nil, fmt.Errorf("read rows: %w", err)
		}
		out = append(out, cells)
	}
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("read rows: %w", err)
	}
	return total, out, nil
}

// renderJSON writes {"model", "columns", "rows", "limit", "offset",
// "total"}; each row is an object in column order, NULL as null.
func renderJSON(name string, cols []warehouse.Column, cells [][]sql.NullString, p page, total int64) (answer, error) {
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		k, err := json.Marshal(c.Name)
		if err != nil {
			return answer{}, err
		}
		keys[i] = k
	}
	head, err := json.Marshal(struct {
		Model   string             `json:"model"`
		Columns []warehouse.Column `json:"columns"`
	}{name, cols})
	if err != nil {
		return answer{}, err
	}
	var b bytes.Buffer
	b.Write(head[:len(head)-1])
	b.WriteString(`,"rows":[`)
	for r, row := range cells {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for i, cell := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(keys[i])
			b.WriteByte(':')
			writeCell(&b, cell)
		}
		b.WriteByte('}')
	}
	fmt.Fprintf(&b, `],"limit":%d,"offset":%d,"total":%d}`+"\n", p.limit, p.offset, total)
	return answer{body: b.Bytes(), contentType: "application/json"}, nil
}

// writeCell writes DuckDB's JSON for a value; a nested value holding NaN,
// which JSON cannot spell, goes as the string DuckDB wrote.
func writeCell(b *bytes.Buffer, cell sql.NullString) {
	switch {
	case !cell.Valid:
		b.WriteString("null")
	case json.Valid([]byte(cell.String)):
		b.WriteString(cell.String)
	default:
		q, _ := json.Marshal(cell.String) // a string always marshals
		b.Write(q)
	}
}

// renderCSV writes a header and the rows, NULL as an empty field.
func renderCSV(cols []warehouse.Column, cells [][]sql.NullString) (answer, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.Name
	}
	if err := w.Write(rec); err != nil {
		return answer{}, err
	}
	for _, row := range cells {
		for i, cell := range row {
			rec[i] = cell.String
		}
		if err := w.Write(rec); err != nil {
			return answer{}, err
		}
	}
	w.Flush()
	return answer{body: b.Bytes(), contentType: "text/csv; charset=utf-8"}, w.Error()
}
