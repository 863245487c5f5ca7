package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// measured is one run of a command: its wall time and the peak resident
// memory of the process.
type measured struct {
	wall   time.Duration
	maxRSS int64 // bytes
	log    string
}

// run executes name with args in dir, its output kept in a log file under
// the bench folder, and measures it.
func (b *bench) run(ctx context.Context, dir, label, name string, args ...string) (measured, error) {
	b.mu.Lock()
	b.seq++
	logPath := filepath.Join(b.dir, "logs", fmt.Sprintf("%03d-%s.log", b.seq, slug(label)))
	b.mu.Unlock()
	logFile, err := os.Create(logPath)
	if err != nil {
		return measured{}, fmt.Errorf("%s: %w", label, err)
	}
	defer logFile.Close()
	fmt.Fprintf(logFile, "# %s\n# in %s\n", strings.Join(append([]string{name}, args...), " "), dir)
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	start := time.Now()
	err = cmd.Run()
	m := measured{wall: time.Since(start), log: logPath}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.maxRSS = int64(ru.Maxrss) * 1024 // KiB on Linux
		}
	}
	b.progress("%-58s %8.2fs  %s", label, m.wall.Seconds(), formatBytes(m.maxRSS))
	if err != nil {
		return m, fmt.Errorf("%s failed (%w); its log %s ends:\n%s", label, err, logPath, tail(logPath, 15))
	}
	return m, nil
}

// repeat runs the same command up to n times while the runs are short
// (under long), and returns every run.
func (b *bench) repeat(ctx context.Context, n int, long time.Duration, dir, label, name string, args ...string) ([]measured, error) {
	var runs []measured
	for i := range n {
		m, err := b.run(ctx, dir, fmt.Sprintf("%s (%d)", label, i+1), name, args...)
		if err != nil {
			return runs, err
		}
		runs = append(runs, m)
		if m.wall > long {
			break
		}
	}
	return runs, nil
}

// median of the runs' wall times, and the largest peak memory.
func median(runs []measured) measured {
	walls := make([]time.Duration, len(runs))
	var rss int64
	for i, r := range runs {
		walls[i] = r.wall
		rss = max(rss, r.maxRSS)
	}
	slices.Sort(walls)
	return measured{wall: walls[len(walls)/2], maxRSS: rss, log: runs[len(runs)-1].log}
}

func tail(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

func slug(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
}

func formatBytes(n int64) string {
	switch {
	case n <= 0:
		return ""
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	default:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
}
