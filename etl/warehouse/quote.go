package warehouse

import "strings"

// QuoteIdent quotes a SQL identifier for DuckDB.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteString quotes a SQL string literal for DuckDB.
func QuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// Qualified returns schema.name with both parts quoted.
func Qualified(schema, name string) string {
	return QuoteIdent(schema) + "." + QuoteIdent(name)
}
