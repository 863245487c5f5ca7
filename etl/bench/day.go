package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// runDay measures figure 3, a full day of notifications built at once,
// figure 5 (that build against etl-plain) and figure 4 on top of it
// (`make bench-day`).
func (b *bench) runDay(ctx context.Context) error {
	histories, err := parseSizes(b.histories)
	if err != nil || len(histories) == 0 {
		return fmt.Errorf("-histories: needs the smallest history for the ratio (%v)", err)
	}
	if _, err := os.Stat(b.plain); err != nil {
		return fmt.Errorf("etl-plain binary: %w (go build -o bin/etl-plain ./etl/bench/plain)", err)
	}
	// Every file gzip-compressed: 100M events take about 5 GB instead of 21.
	spec := landingSpec{Families: map[string]int{"notifications": b.dayRows}, Minutes: b.dayMinutes, Seed: b.seed, Gzip: true}
	land := filepath.Join(b.dir, "landing", "day")
	if err := b.checkDisk(land, spec); err != nil {
		return err
	}
	if err := b.landing(ctx, land, spec); err != nil {
		return err
	}
	t := &table{}
	t.note("a day: %s notification events over %d minute files (every one gzip-compressed), %s of landing files",
		count(b.dayRows), countFiles(filepath.Join(land, "notifications")), formatBytes(dirSize(land)))
	n, err := warm(land)
	if err != nil {
		return fmt.Errorf("warm the page cache: %w", err)
	}
	b.progress("read %s of landing files into the page cache", formatBytes(n))
	// Figure 5: etl-plain first, its database and outputs removed before
	// the runner's build, so the disk holds one job's data at a time.
	plain, err := b.runPlain(ctx, t, land)
	if err != nil {
		return err
	}
	proj := filepath.Join(b.dir, "day")
	if err := copyProject(b.project, proj); err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Join(proj, "target"))
	day, err := b.run(ctx, proj, "the day: build --select +tag:notifications --full-refresh", b.etl,
		"build", "--select", "+tag:notifications", "--full-refresh", "--vars", vars(land))
	if err != nil {
		return err
	}
	plainRows(t, count(b.dayRows), day, plain)
	t.add(row{fmt.Sprintf("3. a full day: `build --select +tag:notifications --full-refresh`, %s events", count(b.dayRows)),
		secs(day.wall), "", "", "< 4 min", met(day.wall < targetDay)})
	t.add(row{"3. a full day: rows per second", fmt.Sprintf("%.0f", float64(b.dayRows)/day.wall.Seconds()), "", "", "", "info"})
	t.add(row{"3. a full day: peak resident memory", formatBytes(day.maxRSS), "", "", "< 8 GiB", met(day.maxRSS < targetDayRSS)})
	t.note("the day's slowest nodes: %s", slowestNodes(proj, 6))
	smallLand := filepath.Join(b.dir, "landing", "notifications-"+count(histories[0]))
	if err := b.landing(ctx, smallLand, landingSpec{Families: map[string]int{"notifications": histories[0]}, Seed: b.seed}); err != nil {
		return err
	}
	small, err := b.historyBatch(ctx, t, histories[0], smallLand)
	if err != nil {
		return err
	}
	big, err := b.batches(ctx, t, count(b.dayRows)+" (the day)", proj, land)
	if err != nil {
		return err
	}
	big.history = count(b.dayRows)
	batchRows(t, []batch{small, big})
	b.report(ctx, t)
	return nil
}

// checkDisk stops the day before it fills the disk: about 550 bytes per
// event for the landing files, the warehouse and the outputs together (55 GB
// at 100M: 5 of gzip landing, 27 of warehouse, 21 of Parquet and CSV), less
// what reusable landing files already take.
func (b *bench) checkDisk(land string, spec landingSpec) error {
	need := b.dayMinFree * 1e9 * int64(b.dayRows) / 100_000_000
	if old, err := readStamp(land); err == nil {
		spec.Files = old.Files
		if equalSpec(old, spec) {
			need -= dirSize(land)
		}
	}
	free := freeBytes(b.dir)
	if free >= 0 && free < need {
		return fmt.Errorf("the full day needs about %s free under %s, only %s is free: free some space or point -dir at a larger disk",
			formatBytes(need), b.dir, formatBytes(free))
	}
	b.progress("disk: %s free, the day needs about %s", formatBytes(free), formatBytes(need))
	return nil
}
