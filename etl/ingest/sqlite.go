package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
	_ "modernc.org/sqlite" // the SQLite driver: pure Go, reads a file read-only

	"etlrunner/etl/warehouse"
)

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// checkSQLite tells a SQLite database from any other file.
func checkSQLite(f *file) error {
	fh, err := os.Open(f.abs)
	if err != nil {
		return err
	}
	defer fh.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(fh, head); err != nil || !bytes.Equal(head, sqliteMagic) {
		return &InputError{File: f.path, Line: 1, Msg: "not a SQLite database"}
	}
	return nil
}

// sqliteStage is the in-memory table a SQLite seed's rows wait in, every
// value as text, before the load's transaction copies them into the raw
// table: DuckDB's Appender fills it, and a transaction may read Scratch
// while it writes the warehouse.
func sqliteStage(seed Seed) string {
	return warehouse.QuoteIdent(warehouse.Scratch) + ".main." + warehouse.QuoteIdent("__ingest_"+seed.Name)
}

// stageSQLite reads seed's query from every SQLite file to load into
// sqliteStage, in the order the query returns the rows: columns c0, c1, ...
// by position (the query's names become each file's header), then the
// file's recorded path and the row's number.
// Every file's query must return the contract's columns, and the same
// columns as the first file's.
func stageSQLite(ctx context.Context, db *sql.DB, seed Seed, c contract, load []*file, tl *tally) error {
	if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+sqliteStage(seed)); err != nil {
		return err
	}
	for _, f := range load {
		if err := stageSQLiteFile(ctx, db, seed, c, f, load[0]); err != nil {
			return err
		}
		tl.loaded(f)
	}
	return nil
}

func stageSQLiteFile(ctx context.Context, db *sql.DB, seed Seed, c contract, f, first *file) error {
	src, err := sql.Open("sqlite", "file:"+(&url.URL{Path: f.abs}).EscapedPath()+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	defer src.Close()
	rows, err := src.QueryContext(ctx, seed.sqliteQuery())
	if err != nil {
		return &InputError{File: f.path, Line: 1, Msg: "SQLite: " + err.Error()}
	}
	defer rows.Close()
	if f.header, err = rows.Columns(); err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if err := checkHeader(f, c); err != nil {
		return err
	}
	if f != first && strings.Join(f.header, "\x00") != strings.Join(first.header, "\x00") {
		return &InputError{File: f.path, Line: 1, Msg: "the query returns other columns than in " + first.path}
	}
	if err := createStage(ctx, db, seed, len(f.header)); err != nil {
		return err
	}
	return appendRows(ctx, db, seed, f, rows, len(f.header))
}

// createStage creates the stage for n text columns, once per load.
func createStage(ctx context.Context, db *sql.DB, seed Seed, n int) error {
	cols := make([]string, n)
	for i := range cols {
		cols[i] = csvCol(i) + " VARCHAR"
	}
	_, err := db.ExecContext(ctx, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (%s, _ingest_file VARCHAR, _ingest_row BIGINT)",
		sqliteStage(seed), strings.Join(cols, ", ")))
	return err
}

// appendRows copies a query's rows into the stage through DuckDB's Appender.
func appendRows(ctx context.Context, db *sql.DB, seed Seed, f *file, rows *sql.Rows, n int) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), warehouse.Scratch, "main", "__ingest_"+seed.Name)
		if err != nil {
			return fmt.Errorf("%s: appender: %w", f.path, err)
		}
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		row := make([]driver.Value, n+2)
		line := int64(0)
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				app.Close()
				return fmt.Errorf("%s: row %d: %w", f.path, line+1, err)
			}
			line++
			for i, v := range vals {
				if row[i], err = sqliteText(v); err != nil {
					app.Close()
					return &InputError{File: f.path, Line: int(line), Msg: fmt.Sprintf("column %q: %v", f.header[i], err)}
				}
			}
			row[n], row[n+1] = f.path, line
			if err := app.AppendRow(row...); err != nil {
				app.Close()
				return fmt.Errorf("%s: row %d: %w", f.path, line, err)
			}
		}
		if err := rows.Err(); err != nil {
			app.Close()
			return &InputError{File: f.path, Line: int(line) + 1, Msg: "SQLite: " + err.Error()}
		}
		return app.Close()
	})
}

// sqliteText renders a SQLite value as the text a CSV export of it would
// hold: integers in decimal, reals in the shortest form that reads back
// the same, text as it is, NULL as NULL.
func sqliteText(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case string:
		return x, nil
	case []byte:
		if !utf8.Valid(x) {
			return nil, fmt.Errorf("a BLOB that is not UTF-8 text")
		}
		return string(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), nil
	}
	return nil, fmt.Errorf("a value of type %T", v)
}

// insertSQLite copies the staged rows into the raw table, mapping the
// query's columns to the contract by name like a CSV header (stageSQLite
// checked every file's columns).
func insertSQLite(ctx context.Context, tx *sql.Tx, seed Seed, c contract, load []*file, now time.Time) error {
	header := load[0].header
	from := fmt.Sprintf("(SELECT * FROM %s ORDER BY _ingest_file, _ingest_row)", sqliteStage(seed))
	_, err := tx.ExecContext(ctx, rawInsertSQL(c, dataColumns(c, header), "_ingest_file", "-1", extraExpr(c, header), from), stamp(now))
	return err
}

// sqliteQuery is what a SQLite seed reads of each file.
func (s Seed) sqliteQuery() string {
	if s.SQLiteQuery != "" {
		return s.SQLiteQuery
	}
	return "SELECT * FROM " + warehouse.QuoteIdent(s.SQLiteTable)
}
