package warehouse

import (
	"database/sql"
	"fmt"
)

// TextRows reads a (small) result set as text, for showing rows to a
// person: NULL prints as "NULL". Callers that want DuckDB's own rendering of
// every type (DECIMAL with its scale, timestamps) select COLUMNS(*)::VARCHAR.
func TextRows(rows *sql.Rows) (cols []string, data [][]string, err error) {
	defer rows.Close()
	if cols, err = rows.Columns(); err != nil {
		return nil, nil, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				cells[i] = "NULL"
			case []byte:
				cells[i] = string(x)
			default:
				cells[i] = fmt.Sprint(x)
			}
		}
		data = append(data, cells)
	}
	return cols, data, rows.Err()
}
