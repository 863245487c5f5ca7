package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// figurePlain is figure 5 of `make bench`: on a landing folder holding
// only notification files, the runner's notification build on a fresh
// copy of the project, then etl-plain.
func (b *bench) figurePlain(ctx context.Context, t *table, events int, land string) error {
	n, err := warm(land)
	if err != nil {
		return fmt.Errorf("warm the page cache: %w", err)
	}
	b.progress("read %s of landing files into the page cache", formatBytes(n))
	proj := filepath.Join(b.dir, "notifications-"+count(events))
	if err := copyProject(b.project, proj); err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Join(proj, "target"))
	defer os.RemoveAll(filepath.Join(proj, "output"))
	runner, err := b.run(ctx, proj, "runner: build --select +tag:notifications --full-refresh", b.etl,
		"build", "--select", "+tag:notifications", "--full-refresh", "--vars", vars(land))
	if err != nil {
		return err
	}
	t.note("runner slowest nodes (notifications only, %s events): %s", count(events), slowestNodes(proj, 6))
	plain, err := b.runPlain(ctx, t, land)
	if err != nil {
		return err
	}
	plainRows(t, count(events), runner, plain)
	return nil
}

// runPlain runs etl-plain on a landing folder with the project's memory
// limit, in its own scratch folder, and removes its database and outputs
// afterwards.
func (b *bench) runPlain(ctx context.Context, t *table, land string) (measured, error) {
	if _, err := os.Stat(b.plain); err != nil {
		return measured{}, fmt.Errorf("etl-plain binary: %w (go build -o bin/etl-plain ./etl/bench/plain)", err)
	}
	dir := filepath.Join(b.dir, "plain")
	if err := os.RemoveAll(dir); err != nil {
		return measured{}, fmt.Errorf("plain baseline: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return measured{}, fmt.Errorf("plain baseline: %w", err)
	}
	defer os.RemoveAll(dir)
	args := []string{"-landing", land, "-out", filepath.Join(dir, "output"), "-db", filepath.Join(dir, "plain.duckdb"),
		"-temp-dir", filepath.Join(dir, "spill")}
	limit, err := memoryLimit(b.project)
	if err != nil {
		return measured{}, err
	}
	if limit != "" {
		args = append(args, "-memory-limit", limit)
	}
	m, err := b.run(ctx, dir, "etl-plain", b.plain, args...)
	if err != nil {
		return m, err
	}
	summary, slowest := plainSummary(m.log, 4)
	t.note("%s (memory limit %s, as etl.yml)", summary, dash(limit))
	t.note("etl-plain slowest statements: %s", strings.Join(slowest, "; "))
	return m, nil
}

// plainRows adds figure 5: the runner against etl-plain, time and memory.
func plainRows(t *table, events string, runner, plain measured) {
	r := ratio(runner.wall, plain.wall)
	t.add(row{fmt.Sprintf("5. notifications only, %s events: `build --select +tag:notifications --full-refresh` vs etl-plain (plain DuckDB, by hand)", events),
		secs(runner.wall), secs(plain.wall), times(r), "≤ 1.3x", met(r <= targetPlain)})
	t.add(row{"5. peak memory: runner / etl-plain", formatBytes(runner.maxRSS), formatBytes(plain.maxRSS),
		times(float64(runner.maxRSS) / float64(max(1, plain.maxRSS))), "", "info"})
}

// memoryLimit is the project's memory_limit (etl.yml), which etl-plain is
// given too so that both spill alike.
func memoryLimit(project string) (string, error) {
	data, err := os.ReadFile(filepath.Join(project, "etl.yml"))
	if err != nil {
		return "", fmt.Errorf("project file: %w", err)
	}
	var s struct {
		MemoryLimit string `yaml:"memory_limit"`
	}
	if err := yaml.Unmarshal(data, &s); err != nil {
		return "", fmt.Errorf("project file etl.yml: %w", err)
	}
	return s.MemoryLimit, nil
}

// plainSummary reads etl-plain's summary line and its n slowest
// statements from its log.
func plainSummary(logPath string, n int) (string, []string) {
	f, err := os.Open(logPath)
	if err != nil {
		return "etl-plain: (no log)", nil
	}
	defer f.Close()
	summary := "etl-plain: (no summary line)"
	type stmt struct {
		d    time.Duration
		text string
	}
	var stmts []stmt
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "etl-plain: ") {
			summary = line
			continue
		}
		secs, text, ok := strings.Cut(strings.TrimSpace(line), "s  ")
		if d, err := strconv.ParseFloat(secs, 64); ok && err == nil {
			stmts = append(stmts, stmt{time.Duration(d * float64(time.Second)), text})
		}
	}
	sort.SliceStable(stmts, func(i, j int) bool { return stmts[i].d > stmts[j].d })
	var out []string
	for _, s := range stmts[:min(n, len(stmts))] {
		text := s.text
		if len(text) > 60 {
			text = text[:60] + "..."
		}
		out = append(out, fmt.Sprintf("%.2fs `%s`", s.d.Seconds(), strings.ReplaceAll(text, "|", "/")))
	}
	return summary, out
}
