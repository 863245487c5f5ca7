package main

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// figureOverhead is figure 1: the runner against the baseline replaying the
// statements it logged.
func (b *bench) figureOverhead(ctx context.Context, t *table, full, land string) error {
	if err := copyProject(b.project, full); err != nil {
		return err
	}
	n, err := warm(land)
	if err != nil {
		return fmt.Errorf("warm the page cache: %w", err)
	}
	b.progress("read %s of landing files into the page cache", formatBytes(n))
	qlog := filepath.Join(b.dir, "query-log.jsonl")
	t1, err := b.run(ctx, full, "runner: build --full-refresh --threads 1 --query-log", b.etl,
		"build", "--full-refresh", "--threads", "1", "--query-log", qlog, "--vars", vars(land))
	if err != nil {
		return err
	}
	t.note("the measured runner build has DuckDB's query log on (--query-log); the baseline logs nothing")
	t.note("runner slowest nodes (--threads 1): %s", slowestNodes(full, 6))
	all, err := b.replay(ctx, t, "all", qlog, filepath.Join(full, "output"))
	if err != nil {
		return err
	}
	data, err := b.replay(ctx, t, "data", qlog, "")
	if err != nil {
		return err
	}
	r := ratio(t1.wall, all.wall)
	t.add(row{"1. runner overhead: `build --full-refresh --threads 1` vs baseline `-mode all` (same statements)",
		secs(t1.wall), secs(all.wall), times(r), "≤ 1.05x", met(r <= targetOverhead)})
	t.add(row{"1. runner vs baseline `-mode data` (DDL, DML, COPY only: no tests, checks, bookkeeping)",
		secs(t1.wall), secs(data.wall), times(ratio(t1.wall, data.wall)), "", "info"})
	t.add(row{"1. peak memory: runner / baseline `-mode all`", formatBytes(t1.maxRSS), formatBytes(all.maxRSS),
		times(float64(t1.maxRSS) / float64(max(1, all.maxRSS))), "", "info"})
	b.single = t1
	return nil
}

// figureThreads is figure 1 again with the project's own threads, for
// information: run last, and only when it fits in the time budget, since
// it costs as much as the single-threaded build.
func (b *bench) figureThreads(ctx context.Context, t *table, full, land string) error {
	label := "1. runner `build --full-refresh` with the project's 2 threads, vs 1 thread"
	if left := b.budget - time.Since(b.started); b.budget > 0 && left < b.single.wall {
		t.add(row{label, "skipped", secs(b.single.wall), "", "", "info"})
		t.note("the 2-thread build was skipped: it takes about %s and %s of the %s budget is left (-budget 0 runs it anyway)",
			secs(b.single.wall), left.Round(time.Second), b.budget)
		return nil
	}
	if err := copyProject(b.project, full); err != nil {
		return err
	}
	t2, err := b.run(ctx, full, "runner: build --full-refresh (threads 2)", b.etl, "build", "--full-refresh", "--vars", vars(land))
	if err != nil {
		return err
	}
	t.add(row{label, secs(t2.wall), secs(b.single.wall), times(ratio(t2.wall, b.single.wall)), "", "info"})
	t.note("runner slowest nodes (2 threads): %s", slowestNodes(full, 6))
	return nil
}

// replay runs the baseline in its own scratch folder on a fresh database.
// With want set, it checks that the CSV files the replay wrote match the
// runner's outputs in name and size.
func (b *bench) replay(ctx context.Context, t *table, mode, qlog, want string) (measured, error) {
	dir := filepath.Join(b.dir, "replay-"+mode)
	if err := os.RemoveAll(dir); err != nil {
		return measured{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return measured{}, err
	}
	defer os.RemoveAll(filepath.Join(dir, "output"))
	defer os.Remove(filepath.Join(dir, "baseline.duckdb"))
	m, err := b.run(ctx, dir, "baseline -mode "+mode, b.baseline, "-log", qlog, "-db", "baseline.duckdb", "-mode", mode, "-top", "6")
	if err != nil {
		return m, err
	}
	summary, slowest := baselineSummary(m.log)
	t.note("baseline %s", summary)
	if mode == "all" {
		t.note("baseline slowest statements (-mode all): %s", strings.Join(slowest, "; "))
	}
	if want != "" {
		got, wanted := csvSizes(filepath.Join(dir, "output")), csvSizes(want)
		same := len(got) == len(wanted)
		for k, v := range wanted {
			same = same && got[k] == v
		}
		t.note("baseline `-mode all` wrote %d CSV outputs; same names and sizes as the runner's %d: %v", len(got), len(wanted), same)
	}
	return m, nil
}

// baselineSummary reads the baseline's summary line and its slowest
// statements from its log.
func baselineSummary(logPath string) (string, []string) {
	f, err := os.Open(logPath)
	if err != nil {
		return "", nil
	}
	defer f.Close()
	var summary string
	var slowest []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "baseline mode="):
			summary = strings.TrimPrefix(line, "baseline ")
		case strings.HasPrefix(line, "  ") && strings.Contains(line, "s  "):
			secs, stmt, _ := strings.Cut(strings.TrimSpace(line), "  ")
			if len(stmt) > 70 {
				stmt = stmt[:70] + "..."
			}
			slowest = append(slowest, fmt.Sprintf("%s `%s`", secs, strings.ReplaceAll(stmt, "|", "/")))
		}
	}
	return summary, slowest
}

// csvSizes maps every CSV file under dir (the staging folder of a replay
// included) to its size, by path below the output folder.
func csvSizes(dir string) map[string]int64 {
	out := map[string]int64{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".csv" {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if first, rest, ok := strings.Cut(rel, string(filepath.Separator)); ok && strings.HasPrefix(first, ".staging-") {
			rel = rest
		}
		if info, err := d.Info(); err == nil {
			out[rel] = info.Size()
		}
		return nil
	})
	return out
}
