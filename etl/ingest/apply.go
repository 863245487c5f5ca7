package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"etlrunner/etl/warehouse"
)

const (
	// filesTable lists, for the load's transaction only, the paths whose
	// rows and ledger entries are replaced or removed.
	filesTable = "_ingest_files"
	// sourceCol names the file column DuckDB adds to every read.
	sourceCol = "_ingest_source"
)

// apply does the database side of a load in two transactions. The first
// only inserts the new and changed files straight from DuckDB's readers,
// their rows marked as not yet numbered (see newRows): DuckDB writes such
// a bulk insert to the database file as it goes, and it must commit before
// anything modifies those rows, or the commit copies every row into the
// write-ahead log (the whole landing, 25 GB for a day of notifications).
// The second makes the rows live: drops the rows of replaced and removed
// files, numbers the new lines and updates the ledger. Until it commits,
// the marked rows are all that changed; a failure deletes them, and a load
// interrupted between the two is cleared by the next (clearMarked).
func apply(ctx context.Context, db *sql.DB, seed Seed, opts Options, c contract, files []*file, now time.Time) (err error) {
	var load []*file
	var listed [][]any
	for _, f := range files {
		if f.loads() {
			load = append(load, f)
		}
		if f.loads() || f.action == ActionRemoved {
			listed = append(listed, []any{f.path})
		}
	}
	if err := clearMarked(ctx, db, c); err != nil {
		return err
	}
	tl := newTally(opts.Progress, load)
	if len(load) > 0 {
		if seed.Format == FormatSQLite {
			defer db.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+sqliteStage(seed))
			if err := stageSQLite(ctx, db, seed, c, load, tl); err != nil {
				return err
			}
		}
		if err := inTx(ctx, db, func(tx *sql.Tx) error { return insertFiles(ctx, tx, seed, c, load, now, tl) }); err != nil {
			return err
		}
		defer func() {
			if err != nil {
				_ = clearMarked(context.WithoutCancel(ctx), db, c)
			}
		}()
	}
	return inTx(ctx, db, func(tx *sql.Tx) error { return publish(ctx, tx, seed, opts, c, load, listed, files, now) })
}

// publish is apply's second transaction.
func publish(ctx context.Context, tx *sql.Tx, seed Seed, opts Options, c contract, load []*file, listed [][]any, files []*file, now time.Time) error {
	if err := touchLedger(ctx, tx, seed.Name, files); err != nil {
		return err
	}
	if len(listed) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE "+filesTable+" (path VARCHAR)"); err != nil {
		return fmt.Errorf("list files: %w", err)
	}
	if err := insertValues(ctx, tx, "INSERT INTO "+filesTable+" VALUES", "(?)", listed); err != nil {
		return fmt.Errorf("list files: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s IN (SELECT path FROM %s) AND NOT (%s)`,
		c.qualified(), warehouse.QuoteIdent(colSourceFile), filesTable, newRows)); err != nil {
		return fmt.Errorf("delete rows of replaced and removed files: %w", err)
	}
	if len(load) > 0 {
		spans, err := countRows(ctx, tx, seed.Format, c, load)
		if err != nil {
			return err
		}
		if err := numberLines(ctx, tx, seed.Format, c, spans); err != nil {
			return err
		}
	}
	if err := writeLedger(ctx, tx, seed.Name, opts, load, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DROP TABLE "+filesTable); err != nil {
		return fmt.Errorf("drop %s: %w", filesTable, err)
	}
	return nil
}

// clearMarked deletes rows a load inserted but did not make live.
func clearMarked(ctx context.Context, db *sql.DB, c contract) error {
	if _, err := db.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE %s", c.qualified(), newRows)); err != nil {
		return fmt.Errorf("clear rows of an unfinished load: %w", err)
	}
	return nil
}

// inTx runs fn in a transaction and commits it, or rolls it back on error.
func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// insertFiles counts a CSV or JSON file as loaded when the read holding
// it returns; a SQLite file was counted when it was staged.
func insertFiles(ctx context.Context, tx *sql.Tx, seed Seed, c contract, load []*file, now time.Time, tl *tally) error {
	switch seed.Format {
	case FormatCSV:
		return insertCSV(ctx, tx, c, load, now, tl)
	case FormatSQLite:
		return insertSQLite(ctx, tx, seed, c, load, now)
	}
	return insertJSON(ctx, tx, c, load, now, tl)
}

// rawInsertSQL inserts a reader's rows into the raw table. The SELECT is a
// plain projection of the reader, so rows land in the order the files hold
// them (DuckDB preserves insertion order); numberLines relies on that. Until
// then _source_line holds marker, a negative number.
func rawInsertSQL(c contract, data []string, source, marker, extra, from string) string {
	cols := append([]string{}, c.data...)
	cols = append(cols, colSourceFile, colSourceLine, colLoadedAt)
	sel := append(append([]string{}, data...), source, marker, "CAST(? AS TIMESTAMPTZ)")
	if c.extra {
		cols = append(cols, colExtra)
		sel = append(sel, extra)
	}
	for i := range cols {
		cols[i] = warehouse.QuoteIdent(cols[i])
	}
	return fmt.Sprintf("INSERT INTO %s (%s)\nSELECT %s\nFROM %s",
		c.qualified(), strings.Join(cols, ", "), strings.Join(sel, ", "), from)
}

// sourceSplit finds how a file's recorded path derives from the path DuckDB
// reports (the absolute one): a fixed prefix, then the absolute path from
// character cut on. Files of one directory share the split, so the recorded
// path is computed inside the read's projection instead of a join, which
// would not keep the rows' order.
func sourceSplit(f *file) (prefix string, cut int) {
	i, j := len(f.path), len(f.abs)
	for i > 0 && j > 0 && f.path[i-1] == f.abs[j-1] {
		i--
		j--
	}
	return f.path[:i], utf8.RuneCountInString(f.abs[:j])
}

func sourceExpr(f *file) string {
	prefix, cut := sourceSplit(f)
	expr := fmt.Sprintf("substr(%s, %d)", sourceCol, cut+1)
	if prefix == "" {
		return expr
	}
	return warehouse.QuoteString(prefix) + " || " + expr
}

func sourceKey(f *file) string {
	prefix, cut := sourceSplit(f)
	return prefix + "\x00" + strconv.Itoa(cut)
}

// insertValues runs head followed by one tuple per row, a few hundred rows
// per statement.
func insertValues(ctx context.Context, tx *sql.Tx, head, tuple string, rows [][]any) error {
	const batch = 500
	for start := 0; start < len(rows); start += batch {
		end := min(start+batch, len(rows))
		tuples := make([]string, 0, end-start)
		var args []any
		for _, r := range rows[start:end] {
			tuples = append(tuples, tuple)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, head+" "+strings.Join(tuples, ", "), args...); err != nil {
			return err
		}
	}
	return nil
}

func fileList(files []*file) string {
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = warehouse.QuoteString(f.abs)
	}
	return strings.Join(quoted, ", ")
}

// stamp renders a time for DuckDB with its offset, so the session time zone
// cannot shift it.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.999999Z07:00") }
