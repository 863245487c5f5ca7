// Package warehouse owns the embedded DuckDB database: opening it with the
// project's settings, quoting names and values, and reading its catalog.
package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/duckdb/duckdb-go/v2"
)

// Querier is what every part that talks to DuckDB needs: *sql.DB, *sql.Conn
// and *sql.Tx all satisfy it.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Options are the engine settings taken from the project file.
type Options struct {
	// Path of the database file; empty means an in-memory database.
	Path string
	// Threads DuckDB may use; 0 leaves DuckDB's default (all cores).
	Threads int
	// MemoryLimit such as "8GB"; empty leaves DuckDB's default.
	MemoryLimit string
	// TempDirectory is where DuckDB spills; empty leaves DuckDB's default.
	TempDirectory string
	// KeepWAL is the largest write-ahead log that Close leaves for the next
	// open to replay rather than checkpointing it; 0 means DefaultKeepWAL
	// and a negative value checkpoints always.
	KeepWAL int64
}

// Scratch is an in-memory catalog attached to every warehouse and seen by
// all its connections: tables that live for one run only (the rows each
// incremental model added, for its tests) go there, so they are never
// written to the log or the database file. A transaction writes either to
// the warehouse or to Scratch, not to both.
const Scratch = "etl_scratch"

// DefaultKeepWAL is 1 MiB. Replaying a log costs the next open about 50 ms
// per MiB, and a checkpoint of a large database about a tenth of a second
// however little changed: the few KiB of bookkeeping of a run that found
// nothing new are cheaper to replay, the log of a build cheaper to fold in.
const DefaultKeepWAL = 1 << 20

// Warehouse is an open DuckDB database.
type Warehouse struct {
	DB      *sql.DB
	Path    string
	keepWAL int64
}

// Open opens (creating if needed) the database described by opts. Every
// connection runs in UTC so timestamps render the same on every machine.
func Open(ctx context.Context, opts Options) (*Warehouse, error) {
	if opts.Path != "" {
		if err := os.MkdirAll(filepath.Dir(opts.Path), 0o755); err != nil {
			return nil, fmt.Errorf("warehouse: %w", err)
		}
	}
	q := url.Values{}
	if opts.Threads > 0 {
		q.Set("threads", strconv.Itoa(opts.Threads))
	}
	if opts.MemoryLimit != "" {
		q.Set("memory_limit", opts.MemoryLimit)
	}
	if opts.TempDirectory != "" {
		q.Set("temp_directory", opts.TempDirectory)
	}
	dsn := opts.Path
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	connector, err := duckdb.NewConnector(dsn, initConn)
	if err != nil {
		return nil, fmt.Errorf("warehouse: open %s: %w", displayPath(opts.Path), err)
	}
	db := sql.OpenDB(connector)
	if _, err := db.ExecContext(ctx, "ATTACH ':memory:' AS "+QuoteIdent(Scratch)); err != nil {
		db.Close()
		return nil, fmt.Errorf("warehouse: open %s: %w", displayPath(opts.Path), err)
	}
	keep := opts.KeepWAL
	if keep == 0 {
		keep = DefaultKeepWAL
	}
	return &Warehouse{DB: db, Path: opts.Path, keepWAL: keep}, nil
}

func initConn(execer driver.ExecerContext) error {
	_, err := execer.ExecContext(context.Background(), "SET TimeZone = 'UTC'", nil)
	return err
}

// Close releases the database. A small write-ahead log, such as the few
// rows of bookkeeping a run that found nothing new leaves, stays for the
// next open to replay; a larger one is checkpointed into the database file
// as DuckDB does on shutdown. Either way every committed change is durable.
func (w *Warehouse) Close() error {
	if w.Path != "" && w.keepWAL > 0 {
		if fi, err := os.Stat(w.Path + ".wal"); err == nil && fi.Size() <= w.keepWAL {
			// Best effort: when it fails, DuckDB checkpoints as usual.
			_, _ = w.DB.Exec("PRAGMA disable_checkpoint_on_shutdown")
		}
	}
	return w.DB.Close()
}

func displayPath(p string) string {
	if p == "" {
		return ":memory:"
	}
	return p
}
