// Command bench measures the etl runner on generated data and prints one
// markdown table of figures against the project's targets (`make bench`),
// or the full day of notifications (`make bench-day`, with -day).
//
// It works in a scratch folder (-dir): landing data generated once and
// reused by later runs of the same sizes, copies of the project, their
// warehouses, and a log of every command it ran (logs/).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type config struct {
	dir, project, etl, baseline string
	plain                       string
	notifications, others       int
	histories                   string
	seed                        uint64
	day                         bool
	dayRows, dayMinutes         int
	dayMinFree                  int64
	budget                      time.Duration
}

// bench is one benchmark session.
type bench struct {
	config
	out     io.Writer // the table
	log     io.Writer // progress
	started time.Time
	single  measured // the single-threaded full build of figure 1
	mu      sync.Mutex
	seq     int
}

func main() {
	var c config
	flag.StringVar(&c.dir, "dir", "target/bench", "scratch folder (landing data, project copies, warehouses, logs)")
	flag.StringVar(&c.project, "project", ".", "the project to benchmark (etl.yml, models, sql, tests, seeds)")
	flag.StringVar(&c.etl, "etl", "bin/etl", "the etl binary")
	flag.StringVar(&c.baseline, "baseline", "bin/etl-baseline", "the baseline binary (etl/bench/baseline)")
	flag.StringVar(&c.plain, "plain", "bin/etl-plain", "the plain DuckDB program of the notification family (etl/bench/plain)")
	flag.IntVar(&c.notifications, "rows", 10_000_000, "notification events of the full project")
	flag.IntVar(&c.others, "other-rows", 200_000, "rows of shipments, campaign and spending each (ecommerce_cdc: one order per 8)")
	flag.StringVar(&c.histories, "histories", "1000000", "notification histories under the minute batch besides the full project's, comma-separated")
	flag.Uint64Var(&c.seed, "seed", 1, "generators' seed")
	flag.DurationVar(&c.budget, "budget", 10*time.Minute, "time budget: the informational 2-thread build runs only if it fits (0: always)")
	flag.BoolVar(&c.day, "day", false, "run the full day (figure 3) instead of the quick figures")
	flag.IntVar(&c.dayRows, "day-rows", 100_000_000, "events of the full day")
	flag.IntVar(&c.dayMinutes, "day-minutes", 1440, "minute files of the full day")
	flag.Int64Var(&c.dayMinFree, "day-min-free-gb", 55, "free disk (GB) the full day needs at 100M events (landing, warehouse and outputs); scaled to -day-rows")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b, err := newBench(c)
	if err == nil {
		if c.day {
			err = b.runDay(ctx)
		} else {
			err = b.runQuick(ctx)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func newBench(c config) (*bench, error) {
	for _, p := range []*string{&c.dir, &c.project, &c.etl, &c.baseline, &c.plain} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return nil, err
		}
		*p = abs
	}
	// Each session's logs replace the previous session's.
	if err := os.RemoveAll(filepath.Join(c.dir, "logs")); err != nil {
		return nil, fmt.Errorf("scratch folder: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(c.dir, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("scratch folder: %w", err)
	}
	if _, err := os.Stat(c.etl); err != nil {
		return nil, fmt.Errorf("etl binary: %w (run make build)", err)
	}
	return &bench{config: c, out: os.Stdout, log: os.Stderr, started: time.Now()}, nil
}

func (b *bench) progress(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintf(b.log, "[%5.0fs] %s\n", time.Since(b.started).Seconds(), fmt.Sprintf(format, args...))
}

func (b *bench) rel(p string) string {
	if r, err := filepath.Rel(b.project, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// vars points a run at a landing folder.
func vars(landing string) string {
	return "{seeds_dir: '" + strings.ReplaceAll(landing, "'", "''") + "'}"
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(f, "_", ""))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad size %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func count(n int) string {
	switch {
	case n >= 1_000_000 && n%100_000 == 0:
		return strconv.FormatFloat(float64(n)/1e6, 'f', -1, 64) + "M"
	case n >= 1000 && n%100 == 0:
		return strconv.FormatFloat(float64(n)/1e3, 'f', -1, 64) + "k"
	}
	return strconv.Itoa(n)
}
