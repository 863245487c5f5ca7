package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// batch is the median minute batch on one history.
type batch struct {
	history string // its size, as printed
	measured
	runs int
}

// historyBatch builds a notifications-only project on a history, then
// measures minute batches on top of it.
func (b *bench) historyBatch(ctx context.Context, t *table, events int, land string) (batch, error) {
	proj := filepath.Join(b.dir, "history-"+count(events))
	if err := copyProject(b.project, proj); err != nil {
		return batch{}, err
	}
	defer os.RemoveAll(filepath.Join(proj, "target"))
	if _, err := b.run(ctx, proj, "history "+count(events)+": build --select +tag:notifications", b.etl,
		"build", "--full-refresh", "--select", "+tag:notifications", "--vars", vars(land)); err != nil {
		return batch{}, err
	}
	return b.batches(ctx, t, count(events), proj, land)
}

// batches lands one more minute of events at a time and measures the
// build of the notification models that applies it, three times while
// the runs are short; the minutes are removed from the landing folder
// afterwards so it stays reusable.
func (b *bench) batches(ctx context.Context, t *table, label, proj, land string) (batch, error) {
	notif := filepath.Join(land, "notifications")
	first := countFiles(notif)
	var added []string
	defer func() {
		for _, p := range added {
			os.Remove(p)
		}
	}()
	stage := filepath.Join(b.dir, "minute-stage")
	var runs []measured
	for k := range 3 {
		if err := os.RemoveAll(stage); err != nil {
			return batch{}, err
		}
		if _, err := b.run(ctx, b.project, "generate one more minute", b.etl, "generate", "notifications",
			"--rows", fmt.Sprint(minuteEvents), "--minutes", "1", "--first-minute", fmt.Sprint(first+k),
			"--seed", fmt.Sprint(b.seed), "--out", stage); err != nil {
			return batch{}, err
		}
		entries, err := os.ReadDir(filepath.Join(stage, "notifications"))
		if err != nil {
			return batch{}, err
		}
		for _, e := range entries {
			to := filepath.Join(notif, e.Name())
			if err := os.Rename(filepath.Join(stage, "notifications", e.Name()), to); err != nil {
				return batch{}, err
			}
			added = append(added, to)
		}
		m, err := b.run(ctx, proj, fmt.Sprintf("minute batch on %s (%d)", label, k+1), b.etl,
			"build", "--select", "+tag:notifications", "--vars", vars(land))
		if err != nil {
			return batch{}, err
		}
		runs = append(runs, m)
		if m.wall > shortRun {
			break
		}
	}
	t.note("minute batch on %s, slowest nodes: %s", label, slowestNodes(proj, 5))
	return batch{history: label, measured: median(runs), runs: len(runs)}, nil
}

// batchRows adds figure 4: each history's batch and the ratio of the
// largest history's to the smallest's.
func batchRows(t *table, batches []batch) {
	for _, m := range batches {
		t.add(row{fmt.Sprintf("4. minute batch (%s events) on a %s-event history (median of %d)", count(minuteEvents), m.history, m.runs),
			secs(m.wall), "", "", "< 2 s", met(m.wall < targetBatch)})
	}
	if len(batches) < 2 {
		return
	}
	first, last := batches[0], batches[len(batches)-1]
	r := ratio(last.wall, first.wall)
	t.add(row{fmt.Sprintf("4. minute batch scaling: %s history vs %s", last.history, first.history),
		secs(last.wall), secs(first.wall), times(r), "≤ 1.5x", met(r <= targetScaling)})
}
