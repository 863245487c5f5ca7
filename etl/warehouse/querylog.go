package warehouse

import (
	"context"
	"fmt"
)

// EnableQueryLog makes DuckDB record every statement run from now on, with
// the connection that ran it.
func EnableQueryLog(ctx context.Context, q Querier) error {
	if _, err := q.ExecContext(ctx, "CALL enable_logging('QueryLog')"); err != nil {
		return fmt.Errorf("enable query log: %w", err)
	}
	return nil
}

// WriteQueryLog writes the recorded statements to path as JSON lines
// ({"connection_id", "query"}), in the order they ran. DuckDB writes the
// file; nothing passes through Go.
func WriteQueryLog(ctx context.Context, q Querier, path string) error {
	stmt := fmt.Sprintf(`COPY (
		SELECT connection_id, message AS query FROM duckdb_logs
		WHERE type = 'QueryLog' AND message NOT LIKE 'COPY (%%duckdb_logs%%'
		ORDER BY timestamp, context_id
	) TO %s (FORMAT json)`, QuoteString(path))
	if _, err := q.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("write query log: %w", err)
	}
	return nil
}
