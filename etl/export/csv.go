package export

import (
	"fmt"
	"strings"

	"etlrunner/etl/warehouse"
)

// copySQL renders the COPY statement writing o to target.
func copySQL(f Format, o output, target string) string {
	var opts []string
	if f == CSV {
		// Spelled out rather than left to defaults: this is the contract BI
		// users rely on.
		opts = append(opts, "FORMAT csv", "HEADER true", "DELIMITER ','", `QUOTE '"'`, `ESCAPE '"'`, "NULLSTR ''", `NEW_LINE '\n'`)
	} else {
		opts = append(opts, "FORMAT parquet", "COMPRESSION zstd")
	}
	return fmt.Sprintf("COPY (%s) TO %s (%s)", selectSQL(f, o), warehouse.QuoteString(target), strings.Join(opts, ", "))
}

// selectSQL reads o's columns from its source (which may hold more),
// rendering them as text for CSV. ORDER BY uses the alias-qualified source
// columns, so it sorts by the typed values, not by their rendering.
func selectSQL(f Format, o output) string {
	exprs := make([]string, len(o.cols))
	for i, c := range o.cols {
		ref := srcAlias + "." + warehouse.QuoteIdent(c.Name)
		if f == CSV {
			ref = csvExpr(ref, c.Type)
		}
		exprs[i] = ref + " AS " + warehouse.QuoteIdent(c.Name)
	}
	list := strings.Join(exprs, ", ")
	q := fmt.Sprintf("SELECT %s FROM %s AS %s", list, o.source, srcAlias)
	if len(o.order) > 0 {
		q += " ORDER BY " + strings.Join(o.order, ", ")
	}
	return q
}

// csvExpr renders one column by the CSV contract. DuckDB's CSV writer
// already prints DECIMAL with its scale, DATE as ISO, BOOLEAN as true/false
// and numbers with a '.' point, so only timestamps and nested values need
// rewriting.
func csvExpr(ref, typ string) string {
	t := strings.ToUpper(strings.TrimSpace(typ))
	switch {
	case t == "TIMESTAMP WITH TIME ZONE" || t == "TIMESTAMPTZ":
		// The cast prints fractional seconds only when non-zero; the offset
		// is always UTC, spelled +00:00.
		return fmt.Sprintf("CASE WHEN isfinite(%[1]s) THEN regexp_replace(CAST(timezone('UTC', %[1]s) AS VARCHAR), ' ', 'T') || '+00:00' ELSE CAST(%[1]s AS VARCHAR) END", ref)
	case t == "TIMESTAMP" || t == "DATETIME" || strings.HasPrefix(t, "TIMESTAMP_"):
		return fmt.Sprintf("regexp_replace(CAST(%s AS VARCHAR), ' ', 'T')", ref)
	case isNested(t):
		return fmt.Sprintf("CAST(to_json(%s) AS VARCHAR)", ref)
	}
	return ref
}

// isNested reports MAP, LIST, ARRAY, STRUCT and UNION types.
func isNested(t string) bool {
	return strings.HasSuffix(t, "]") || strings.HasPrefix(t, "MAP(") ||
		strings.HasPrefix(t, "STRUCT(") || strings.HasPrefix(t, "UNION(")
}
