package main

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// script is the whole job; see its header for the placeholders.
//
//go:embed plain.sql
var script string

// Options of one run.
type Options struct {
	Landing     string    // the landing folder (notifications/*.jsonl[.gz])
	Out         string    // the output folder
	DB          string    // the database file; empty: a temporary one
	MemoryLimit string    // DuckDB's memory_limit; empty: DuckDB's default
	TempDir     string    // DuckDB's temp_directory; empty: DuckDB's default
	Log         io.Writer // one line per statement; nil: none
}

// Summary is what a run loaded and wrote.
type Summary struct {
	Files                                   int
	Events, Messages, PerMinute, Dashboards int64
	Wall                                    time.Duration
}

// Run executes the script on the landing folder's notification files.
func Run(ctx context.Context, o Options) (Summary, error) {
	start := time.Now()
	files, err := landingFiles(o.Landing)
	if err != nil {
		return Summary{}, err
	}
	out, err := filepath.Abs(o.Out)
	if err != nil {
		return Summary{}, fmt.Errorf("output folder: %w", err)
	}
	// COPY creates a partitioned output's folder, not its parent.
	if err := os.MkdirAll(filepath.Join(out, "notification_detail"), 0o755); err != nil {
		return Summary{}, fmt.Errorf("output folder: %w", err)
	}
	dbPath, cleanup, err := freshDB(o.DB)
	if err != nil {
		return Summary{}, err
	}
	defer cleanup()
	db, err := open(dbPath, o.MemoryLimit, o.TempDir)
	if err != nil {
		return Summary{}, err
	}
	defer db.Close()
	// One connection: the script's SET statements hold for the session.
	conn, err := db.Conn(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("connect to %s: %w", dbPath, err)
	}
	defer conn.Close()
	for _, stmt := range statements(script) {
		t := time.Now()
		if _, err := conn.ExecContext(ctx, render(stmt, files, out)); err != nil {
			return Summary{}, fmt.Errorf("%s: %w", label(stmt), err)
		}
		if o.Log != nil {
			fmt.Fprintf(o.Log, "%8.2fs  %s\n", time.Since(t).Seconds(), label(stmt))
		}
	}
	s := Summary{Files: len(files)}
	err = conn.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM events), (SELECT count(*) FROM messages),
		(SELECT count(*) FROM notifications_per_minute), (SELECT count(*) FROM notification_dashboard)`).
		Scan(&s.Events, &s.Messages, &s.PerMinute, &s.Dashboards)
	if err != nil {
		return Summary{}, fmt.Errorf("count rows: %w", err)
	}
	if err := conn.Close(); err != nil {
		return Summary{}, fmt.Errorf("close connection: %w", err)
	}
	if err := db.Close(); err != nil {
		return Summary{}, fmt.Errorf("close %s: %w", dbPath, err)
	}
	s.Wall = time.Since(start)
	return s, nil
}

// landingFiles lists the notification files, sorted by path.
func landingFiles(landing string) ([]string, error) {
	dir, err := filepath.Abs(filepath.Join(landing, "notifications"))
	if err != nil {
		return nil, fmt.Errorf("landing folder: %w", err)
	}
	var files []string
	for _, pattern := range []string{"*.jsonl", "*.jsonl.gz"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, fmt.Errorf("landing folder: %w", err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("landing folder: no *.jsonl or *.jsonl.gz file in %s", dir)
	}
	slices.Sort(files)
	return files, nil
}

// freshDB returns the database path to use, with nothing left of an
// earlier run in it, and what to remove afterwards.
func freshDB(path string) (string, func(), error) {
	if path == "" {
		dir, err := os.MkdirTemp("", "etl-plain-")
		if err != nil {
			return "", nil, fmt.Errorf("temporary database: %w", err)
		}
		return filepath.Join(dir, "plain.duckdb"), func() { os.RemoveAll(dir) }, nil
	}
	for _, p := range []string{path, path + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", nil, fmt.Errorf("database: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", nil, fmt.Errorf("database: %w", err)
	}
	return path, func() {}, nil
}

func open(path, memoryLimit, tempDir string) (*sql.DB, error) {
	q := url.Values{}
	if memoryLimit != "" {
		q.Set("memory_limit", memoryLimit)
	}
	if tempDir != "" {
		q.Set("temp_directory", tempDir)
	}
	dsn := path
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	connector, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return sql.OpenDB(connector), nil
}

// render fills in the script's placeholders.
func render(sqlText string, files []string, out string) string {
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = literal(f)
	}
	return strings.NewReplacer(
		"{{files}}", "["+strings.Join(quoted, ", ")+"]",
		"{{out}}", strings.ReplaceAll(out, "'", "''"),
	).Replace(sqlText)
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// statements splits the script at lines that end with a semicolon.
func statements(sqlText string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(sqlText, "\n") {
		cur.WriteString(line)
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" && !onlyComments(rest) {
		out = append(out, rest)
	}
	return out
}

// label is a statement's first line that is not a comment.
func label(stmt string) string {
	for _, line := range strings.Split(stmt, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "--") {
			if len(line) > 90 {
				line = line[:90] + "..."
			}
			return line
		}
	}
	return "(empty statement)"
}

func onlyComments(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "--") {
			return false
		}
	}
	return true
}
