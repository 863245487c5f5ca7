package export

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"etlrunner/etl/warehouse"
)

// hiveNull is the directory value hive readers (DuckDB, Spark) take as NULL.
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// distinctTuples reads the distinct combinations of cols as text, sorted,
// NULLs first. It stops past maxSplits: more than that many files means the
// columns are keys rather than categories.
func distinctTuples(ctx context.Context, db *sql.DB, relation string, cols []string) ([][]sql.NullString, error) {
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = fmt.Sprintf("CAST(%s AS VARCHAR)", warehouse.QuoteIdent(c))
	}
	q := fmt.Sprintf("SELECT DISTINCT %s FROM %s ORDER BY ALL NULLS FIRST LIMIT %d",
		strings.Join(exprs, ", "), relation, maxSplits+1)
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("distinct values of %s: %w", strings.Join(cols, ", "), err)
	}
	defer rows.Close()
	var out [][]sql.NullString
	for rows.Next() {
		tuple := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range tuple {
			ptrs[i] = &tuple[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("distinct values of %s: %w", strings.Join(cols, ", "), err)
		}
		out = append(out, tuple)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("distinct values of %s: %w", strings.Join(cols, ", "), err)
	}
	if len(out) > maxSplits {
		return nil, fmt.Errorf("%s: more than %d distinct values, too many files", strings.Join(cols, ", "), maxSplits)
	}
	return out, nil
}

// hiveEscape percent-encodes a partition value for a directory name, as
// hive readers expect. Letters, digits, "-_.~" and non-ASCII text stay.
func hiveEscape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x80 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// hiveUnescape reverses hiveEscape. It accepts only the spelling hiveEscape
// produces, so a value has one directory name and back.
func hiveUnescape(v string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b.WriteByte(v[i])
			continue
		}
		if i+2 >= len(v) {
			return "", false
		}
		n, err := strconv.ParseUint(v[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		b.WriteByte(byte(n))
		i += 2
	}
	u := b.String()
	return u, hiveEscape(u) == v
}
