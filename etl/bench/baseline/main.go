// Command baseline replays the statements of an `etl build --query-log`
// run on a fresh DuckDB database through the same driver, one after the
// other on one connection, with no runner around them: the benchmark's
// measure of what the runner adds to DuckDB's own work.
//
//	baseline -log query.jsonl -db fresh.duckdb [-mode all|data] [-top N]
//
// Relative paths in the statements (the exports' staging folder) resolve
// against the working directory, so run it in a scratch folder.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"etlrunner/etl/warehouse"
)

// logLine is one line of the runner's query log.
type logLine struct {
	ConnectionID int64  `json:"connection_id"`
	Query        string `json:"query"`
}

// dataKeywords start the statements that change data or files; the rest
// (SELECT, WITH, DESCRIBE, PRAGMA, CALL...) only read.
var dataKeywords = map[string]bool{
	"CREATE": true, "INSERT": true, "UPDATE": true, "DELETE": true, "COPY": true, "DROP": true,
	"ALTER": true, "BEGIN": true, "COMMIT": true, "ROLLBACK": true, "END": true, "SET": true, "RESET": true,
}

// readKeywords start statements that return rows, replayed with a query
// whose rows are read to the end as the runner reads them.
var readKeywords = map[string]bool{
	"SELECT": true, "WITH": true, "DESCRIBE": true, "PRAGMA": true, "CALL": true, "SHOW": true,
	"SUMMARIZE": true, "EXPLAIN": true, "FROM": true, "VALUES": true, "TABLE": true,
}

type options struct {
	log, db, mode string
	top           int
}

func main() {
	var o options
	flag.StringVar(&o.log, "log", "", "query log written by etl build --query-log (JSON lines)")
	flag.StringVar(&o.db, "db", "", "database file to create; an existing one is deleted first")
	flag.StringVar(&o.mode, "mode", "all", "all: every statement without unbindable placeholders; data: only DDL, DML and COPY outside etl_meta")
	flag.IntVar(&o.top, "top", 0, "print the N slowest statements")
	flag.Parse()
	if o.log == "" || o.db == "" || (o.mode != "all" && o.mode != "data") {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

// timed is a replayed statement and how long it took.
type timed struct {
	sql string
	d   time.Duration
}

type tally struct {
	replayed, placeholders, reads, meta, failed int
	failures                                    []string
	slowest                                     []timed
}

func run(ctx context.Context, o options, out io.Writer) error {
	stmts, conns, err := readLog(o.log)
	if err != nil {
		return err
	}
	if conns > 1 {
		fmt.Fprintf(out, "warning: the log has statements of %d connections; replaying them on one connection in log order\n", conns)
	}
	for _, p := range []string{o.db, o.db + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", p, err)
		}
	}
	start := time.Now()
	wh, err := warehouse.Open(ctx, warehouse.Options{Path: o.db})
	if err != nil {
		return err
	}
	defer wh.Close()
	conn, err := wh.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connection: %w", err)
	}
	defer conn.Close()
	loadTime := start.UTC().Format("2006-01-02 15:04:05.000000+00")
	var t tally
	for _, raw := range stmts {
		if err := ctx.Err(); err != nil {
			return err
		}
		t.replay(ctx, conn, o.mode, parseStatement(raw), loadTime)
	}
	wall := time.Since(start)
	fmt.Fprintf(out, "baseline mode=%s: %d statements, replayed=%d skipped=%d (placeholders=%d reads=%d etl_meta=%d) failed=%d wall=%.2fs\n",
		o.mode, len(stmts), t.replayed, t.placeholders+t.reads+t.meta, t.placeholders, t.reads, t.meta, t.failed, wall.Seconds())
	if o.top > 0 {
		sort.Slice(t.slowest, func(i, j int) bool { return t.slowest[i].d > t.slowest[j].d })
		for _, s := range t.slowest[:min(o.top, len(t.slowest))] {
			fmt.Fprintf(out, "  %8.2fs  %s\n", s.d.Seconds(), oneLine(s.sql, 150))
		}
	}
	if t.failed > 0 {
		for _, f := range t.failures {
			fmt.Fprintln(out, "  FAILED", f)
		}
		return fmt.Errorf("%d statements failed", t.failed)
	}
	return nil
}

// replay runs one statement, or counts why it is skipped.
func (t *tally) replay(ctx context.Context, conn *sql.Conn, mode string, st statement, loadTime string) {
	isRead := readKeywords[st.keyword]
	if mode == "data" && (st.meta || !dataKeywords[st.keyword]) {
		if st.meta {
			t.meta++
		} else {
			t.reads++
		}
		return
	}
	query, ok := st.bindTimestamps(loadTime)
	if !ok {
		t.placeholders++
		return
	}
	if target, ok := st.copyTarget(); ok {
		// The runner creates the export's folder in Go before its COPY.
		dir := target
		if filepath.Ext(target) != "" {
			dir = filepath.Dir(target)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.fail(st.sql, err)
			return
		}
	}
	began := time.Now()
	var err error
	if isRead {
		err = drain(ctx, conn, query)
	} else {
		_, err = conn.ExecContext(ctx, query)
	}
	t.slowest = append(t.slowest, timed{sql: st.sql, d: time.Since(began)})
	if err != nil {
		t.fail(st.sql, err)
		return
	}
	t.replayed++
}

func (t *tally) fail(sql string, err error) {
	t.failed++
	if len(t.failures) < 5 {
		t.failures = append(t.failures, oneLine(sql, 200)+": "+oneLine(err.Error(), 300))
	}
}

// drain runs a query and reads every row, as the runner does.
func drain(ctx context.Context, conn *sql.Conn, query string) error {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// readLog returns the logged statements in order and how many connections
// ran them.
func readLog(path string) ([]string, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("query log: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	var stmts []string
	conns := map[int64]bool{}
	for {
		var l logLine
		if err := dec.Decode(&l); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, 0, fmt.Errorf("query log %s: statement %d: %w", path, len(stmts)+1, err)
		}
		conns[l.ConnectionID] = true
		stmts = append(stmts, l.Query)
	}
	return stmts, len(conns), nil
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}
