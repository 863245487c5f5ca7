package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"etlrunner/etl/warehouse"
)

// The ledger (etl_meta.file_ledger) has no key: rows are replaced by
// deleting and inserting.

type ledgerEntry struct {
	size  int64
	mtime time.Time
	sha   string
	rows  int64
}

func readLedger(ctx context.Context, q warehouse.Querier, seed string) (map[string]ledgerEntry, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT path, size, mtime, sha256, row_count
		FROM etl_meta.file_ledger WHERE seed = ?`, seed)
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	defer rows.Close()
	out := map[string]ledgerEntry{}
	for rows.Next() {
		var path string
		var e ledgerEntry
		if err := rows.Scan(&path, &e.size, &e.mtime, &e.sha, &e.rows); err != nil {
			return nil, fmt.Errorf("read ledger: %w", err)
		}
		e.mtime = e.mtime.UTC()
		out[path] = e
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	return out, nil
}

func touchLedger(ctx context.Context, tx *sql.Tx, seed string, files []*file) error {
	for _, f := range files {
		if !f.touched {
			continue
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE etl_meta.file_ledger SET mtime = CAST(? AS TIMESTAMPTZ), size = ?
			WHERE seed = ? AND path = ?`, stamp(f.mtime), f.size, seed, f.path); err != nil {
			return fmt.Errorf("ledger: %s: %w", f.path, err)
		}
	}
	return nil
}

// writeLedger records the loaded files with their row counts and forgets
// the removed ones (every earlier one on a full refresh).
func writeLedger(ctx context.Context, tx *sql.Tx, seed string, opts Options, load []*file, now time.Time) error {
	del := fmt.Sprintf(`DELETE FROM etl_meta.file_ledger WHERE seed = ? AND path IN (SELECT path FROM %s)`, filesTable)
	if opts.FullRefresh {
		del = `DELETE FROM etl_meta.file_ledger WHERE seed = ?`
	}
	if _, err := tx.ExecContext(ctx, del, seed); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	rows := make([][]any, len(load))
	for i, f := range load {
		rows[i] = []any{seed, f.path, f.size, stamp(f.mtime), f.sha, f.rows, opts.RunID, stamp(now)}
	}
	err := insertValues(ctx, tx,
		"INSERT INTO etl_meta.file_ledger (seed, path, size, mtime, sha256, row_count, run_id, loaded_at) VALUES",
		"(?, ?, ?, CAST(? AS TIMESTAMPTZ), ?, ?, ?, CAST(? AS TIMESTAMPTZ))", rows)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}
