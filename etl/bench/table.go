package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"etlrunner/etl/warehouse"
)

// row is one line of the table.
type row struct {
	figure, value, baseline, ratio, target, met string
}

type table struct {
	rows  []row
	notes []string
}

func (t *table) add(r row) { t.rows = append(t.rows, r) }

func (t *table) note(format string, args ...any) {
	t.notes = append(t.notes, fmt.Sprintf(format, args...))
}

func (t *table) print(w io.Writer) {
	fmt.Fprintln(w, "| figure | value | baseline | ratio | target | met? |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---|---|")
	// Rows are added as they are measured; print them by figure.
	sort.SliceStable(t.rows, func(i, j int) bool { return t.rows[i].figure[:1] < t.rows[j].figure[:1] })
	for _, r := range t.rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.figure, dash(r.value), dash(r.baseline), dash(r.ratio), dash(r.target), dash(r.met))
	}
	if len(t.notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range t.notes {
			fmt.Fprintln(w, "- "+n)
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func millis(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }

func ratio(a, b time.Duration) float64 { return a.Seconds() / b.Seconds() }

func times(r float64) string { return fmt.Sprintf("%.2fx", r) }

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// machine describes where the figures were measured.
func machine(ctx context.Context, dir string) string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	mem := "?"
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			var kb int64
			if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
				mem = formatBytes(kb * 1024)
			}
		}
	}
	free := "?"
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) == nil {
		free = formatBytes(int64(st.Bavail) * st.Bsize)
	}
	return fmt.Sprintf("%s; %d cores; %s memory; %s free disk; %s; DuckDB %s; %s",
		cpu, runtime.NumCPU(), mem, free, runtime.Version(), duckdbVersion(ctx), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
}

func duckdbVersion(ctx context.Context) string {
	wh, err := warehouse.Open(ctx, warehouse.Options{})
	if err != nil {
		return "?"
	}
	defer wh.Close()
	var v string
	if err := wh.DB.QueryRowContext(ctx, "SELECT version()").Scan(&v); err != nil {
		return "?"
	}
	return v
}

func freeBytes(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1
	}
	return int64(st.Bavail) * st.Bsize
}
