package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Targets of the issue.
const (
	targetOverhead = 1.05
	targetNoop     = 300 * time.Millisecond
	targetCompile  = 200 * time.Millisecond
	targetBatch    = 2 * time.Second
	targetScaling  = 1.5
	targetDay      = 4 * time.Minute
	targetDayRSS   = 8 << 30
	targetPlain    = 1.3 // the notification build against etl-plain, the job by hand
	minuteEvents   = 70_000
	// A run longer than this is measured once instead of three times.
	shortRun = 20 * time.Second
)

// runQuick measures figures 1, 2, 4 and 5 (`make bench`).
func (b *bench) runQuick(ctx context.Context) error {
	histories, err := parseSizes(b.histories)
	if err != nil {
		return fmt.Errorf("-histories: %w", err)
	}
	if _, err := os.Stat(b.baseline); err != nil {
		return fmt.Errorf("baseline binary: %w (go build -o bin/etl-baseline ./etl/bench/baseline)", err)
	}
	if _, err := os.Stat(b.plain); err != nil {
		return fmt.Errorf("etl-plain binary: %w (go build -o bin/etl-plain ./etl/bench/plain)", err)
	}
	spec := landingSpec{Families: map[string]int{
		"notifications": b.notifications, "shipments": b.others, "campaign": b.others,
		"spending": b.others, "ecommerce_cdc": max(1, b.others/8),
	}, Seed: b.seed, Fixed: true}
	landFull := filepath.Join(b.dir, "landing", "full")
	if err := b.landing(ctx, landFull, spec); err != nil {
		return err
	}
	histLands := make([]string, len(histories))
	for i, h := range histories {
		histLands[i] = filepath.Join(b.dir, "landing", "notifications-"+count(h))
		if err := b.landing(ctx, histLands[i], landingSpec{Families: map[string]int{"notifications": h}, Seed: b.seed}); err != nil {
			return err
		}
	}
	// Figure 5 needs a folder of notification files only: the full
	// project's, linked.
	notifSpec := landingSpec{Families: map[string]int{"notifications": b.notifications}, Seed: b.seed}
	notifLand := filepath.Join(b.dir, "landing", "notifications-"+count(b.notifications))
	if err := b.notificationsOnly(landFull, notifLand, notifSpec); err != nil {
		return err
	}
	t := &table{}
	t.note("volumes: %s, plus the project's invoices and chatbot seeds (%s of landing files)",
		describeFamilies(spec.Families), formatBytes(dirSize(landFull)))
	full := filepath.Join(b.dir, "full")
	if err := b.figureOverhead(ctx, t, full, landFull); err != nil {
		return err
	}
	if err := b.figureStartup(ctx, t, full, landFull); err != nil {
		return err
	}
	var batches []batch
	for i, h := range histories {
		m, err := b.historyBatch(ctx, t, h, histLands[i])
		if err != nil {
			return err
		}
		batches = append(batches, m)
	}
	m, err := b.batches(ctx, t, count(b.notifications)+" (full project)", full, landFull)
	if err != nil {
		return err
	}
	m.history = count(b.notifications)
	batchRows(t, append(batches, m))
	if err := b.figurePlain(ctx, t, b.notifications, notifLand); err != nil {
		return err
	}
	if err := b.figureThreads(ctx, t, full, landFull); err != nil {
		return err
	}
	t.note("figure 3 (a full day, 100M events) runs with `make bench-day`")
	// The warehouse and outputs are rebuilt by every session.
	os.RemoveAll(filepath.Join(full, "target"))
	os.RemoveAll(filepath.Join(full, "output"))
	b.report(ctx, t)
	return nil
}

// figureStartup is figure 2: compile, ls and a build with nothing new.
func (b *bench) figureStartup(ctx context.Context, t *table, full, land string) error {
	compile, err := b.repeat(ctx, 5, shortRun, full, "etl compile", b.etl, "compile", "--vars", vars(land))
	if err != nil {
		return err
	}
	ls, err := b.repeat(ctx, 5, shortRun, full, "etl ls", b.etl, "ls", "--vars", vars(land))
	if err != nil {
		return err
	}
	noop, err := b.repeat(ctx, 3, shortRun, full, "etl build, nothing new", b.etl, "build", "--vars", vars(land))
	if err != nil {
		return err
	}
	c, l, n := median(compile), median(ls), median(noop)
	t.add(row{fmt.Sprintf("2. `etl compile`, full project (median of %d)", len(compile)), millis(c.wall), "", "", "< 200 ms", met(c.wall < targetCompile)})
	t.add(row{fmt.Sprintf("2. `etl ls`, full project (median of %d)", len(ls)), millis(l.wall), "", "", "", "info"})
	t.add(row{fmt.Sprintf("2. `etl build` finding nothing new, %s-event project (median of %d)", count(b.notifications), len(noop)),
		millis(n.wall), "", "", "< 300 ms", met(n.wall < targetNoop)})
	t.note("no-op build slowest nodes: %s", slowestNodes(full, 4))
	return nil
}

// report prints the machine, the table and its notes.
func (b *bench) report(ctx context.Context, t *table) {
	fmt.Fprintf(b.out, "\n## etl benchmark\n\n%s; bench took %s\n\n", machine(ctx, b.dir), time.Since(b.started).Round(time.Second))
	t.print(b.out)
}

func describeFamilies(f map[string]int) string {
	var parts []string
	for _, name := range []string{"notifications", "shipments", "campaign", "spending", "ecommerce_cdc"} {
		if n, ok := f[name]; ok {
			unit := ""
			if name == "ecommerce_cdc" {
				unit = " orders"
			}
			parts = append(parts, fmt.Sprintf("%s %s%s", name, count(n), unit))
		}
	}
	return strings.Join(parts, ", ")
}
