// Package ingest loads landing files (seeds) into raw tables, incrementally
// by file: a ledger remembers what each file looked like when it was loaded,
// so only new or changed files are read, and rows of files that disappeared
// are removed. The raw table mirrors exactly the files the pattern matches.
package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Format is how a seed's files are encoded.
type Format string

const (
	// FormatCSV is comma separated values with a header line.
	FormatCSV Format = "csv"
	// FormatJSON is, per file, either one JSON array of objects or
	// newline-delimited objects.
	FormatJSON Format = "json"
	// FormatNDJSON is one JSON object per line.
	FormatNDJSON Format = "ndjson"
	// FormatSQLite is a SQLite database file: Seed.Query's rows, each
	// value as text, the row's number as its line.
	FormatSQLite Format = "sqlite"
)

// Actions reported per file.
const (
	ActionLoaded    = "loaded"
	ActionReplaced  = "replaced"
	ActionUnchanged = "unchanged"
	ActionRemoved   = "removed"
)

// Seed is one declared landing input.
type Seed struct {
	Name    string
	Pattern string // path or glob; relative patterns resolve against Options.Dir
	Format  Format
	// Encoding of CSV text: "" or "utf-8", "latin-1" or "utf-16" (with
	// or without a byte order mark; little-endian without one).
	Encoding string
	Schema   string
	Table    string
	// SQLiteTable or SQLiteQuery is what a SQLite seed reads of each file.
	SQLiteTable string
	SQLiteQuery string
}

// Options are per-run settings.
type Options struct {
	Dir         string
	RunID       string
	FullRefresh bool
	Logger      *slog.Logger
	// Progress, when set, is called from the loading goroutine once the
	// load knows which files it reads, and again as their rows land.
	Progress func(Progress)
}

// FileResult is what happened to one file.
type FileResult struct {
	Path   string
	Rows   int64
	Action string
}

// Result sums up one seed's load. FilesLoaded counts loaded and replaced files.
type Result struct {
	Seed           string
	Files          []FileResult
	RowsLoaded     int64
	FilesLoaded    int
	FilesUnchanged int
	FilesRemoved   int
}

// Load brings seed's raw table in line with the files its pattern matches
// now. The new rows are written in one transaction and made live in a
// second (see apply); when the load fails, the table is as it was.
// Structurally broken input is reported as *InputError, returned unwrapped
// so it prints as file:line: msg.
func Load(ctx context.Context, db *sql.DB, seed Seed, opts Options) (Result, error) {
	if err := seed.check(); err != nil {
		return Result{Seed: seed.Name}, err
	}
	paths, err := Match(opts.Dir, seed.Pattern)
	if err != nil {
		return Result{Seed: seed.Name}, fmt.Errorf("seed %s: %w", seed.Name, err)
	}
	res, err := load(ctx, db, seed, opts, paths)
	if err != nil {
		var inErr *InputError
		if errors.As(err, &inErr) {
			return Result{Seed: seed.Name}, inErr
		}
		return Result{Seed: seed.Name}, fmt.Errorf("seed %s: %w", seed.Name, err)
	}
	if opts.Logger != nil {
		opts.Logger.Info("seed loaded", "seed", seed.Name,
			"files_loaded", res.FilesLoaded, "files_unchanged", res.FilesUnchanged,
			"files_removed", res.FilesRemoved, "rows", res.RowsLoaded)
	}
	return res, nil
}

func (s Seed) check() error {
	switch {
	case s.Name == "":
		return errors.New("seed without a name")
	case s.Pattern == "":
		return fmt.Errorf("seed %s: empty pattern", s.Name)
	case s.Schema == "" || s.Table == "":
		return fmt.Errorf("seed %s: no raw table", s.Name)
	}
	switch s.Format {
	case FormatCSV, FormatJSON, FormatNDJSON:
	case FormatSQLite:
		if (s.SQLiteTable == "") == (strings.TrimSpace(s.SQLiteQuery) == "") {
			return fmt.Errorf("seed %s: a SQLite seed reads either a table or a query", s.Name)
		}
	default:
		return fmt.Errorf("seed %s: unknown format %q (want csv, json, ndjson or sqlite)", s.Name, s.Format)
	}
	if _, ok := decoders[s.Encoding]; !ok {
		return fmt.Errorf("seed %s: unknown encoding %q (want utf-8, latin-1 or utf-16)", s.Name, s.Encoding)
	}
	if s.Format != FormatCSV && s.Encoding != "" && s.Encoding != EncodingUTF8 {
		return fmt.Errorf("seed %s: encoding %s is for CSV files; JSON is UTF-8", s.Name, s.Encoding)
	}
	return nil
}

func load(ctx context.Context, db *sql.DB, seed Seed, opts Options, paths []string) (Result, error) {
	// Line numbers come from the order rows are inserted in; without this
	// setting DuckDB may reorder them.
	var ordered bool
	if err := db.QueryRowContext(ctx, "SELECT current_setting('preserve_insertion_order')").Scan(&ordered); err != nil {
		return Result{}, fmt.Errorf("read preserve_insertion_order: %w", err)
	}
	if !ordered {
		return Result{}, errors.New("loading needs preserve_insertion_order = true")
	}
	c, err := readContract(ctx, db, seed.Schema, seed.Table)
	if err != nil {
		return Result{}, err
	}
	prev, err := readLedger(ctx, db, seed.Name)
	if err != nil {
		return Result{}, err
	}
	files, err := plan(ctx, seed, opts, paths, prev)
	if err != nil {
		return Result{}, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := apply(ctx, db, seed, opts, c, files, now); err != nil {
		return Result{}, err
	}
	return summarize(seed.Name, files), nil
}

func summarize(name string, files []*file) Result {
	res := Result{Seed: name}
	for _, f := range files {
		res.Files = append(res.Files, FileResult{Path: f.path, Rows: f.rows, Action: f.action})
		switch f.action {
		case ActionLoaded, ActionReplaced:
			res.FilesLoaded++
			res.RowsLoaded += f.rows
		case ActionUnchanged:
			res.FilesUnchanged++
		case ActionRemoved:
			res.FilesRemoved++
		}
	}
	return res
}
