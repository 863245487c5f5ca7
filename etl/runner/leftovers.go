package runner

import (
	"fmt"
	"path/filepath"
	"strings"

	"etlrunner/etl/export"
	"etlrunner/etl/warehouse"
)

// sweepLeftovers removes what dead runs left in the output and target
// folders (staging folders, folders set aside mid-publish, temporary files)
// and reports it with the spill files the caller removed. The caller holds
// the warehouse lock, so no other run is alive to own them.
func (r *runner) sweepLeftovers() error {
	found := append([]warehouse.Leftover(nil), r.opts.Leftovers...)
	for _, dir := range []string{r.outputDir(), r.targetDir()} {
		got, err := export.SweepLeftovers(dir)
		found = append(found, got...)
		if err != nil {
			return fmt.Errorf("remove what an interrupted run left: %w", err)
		}
	}
	if len(found) == 0 {
		return nil
	}
	var total int64
	names := make([]string, len(found))
	for i, l := range found {
		total += l.Bytes
		names[i] = r.display(l.Path)
	}
	r.opts.Reporter.Info(fmt.Sprintf("Removed what an interrupted run left behind (%s): %s",
		humanBytes(total), strings.Join(names, ", ")))
	return nil
}

// display shows a path relative to the project when it lies inside it.
func (r *runner) display(p string) string {
	if rel, err := filepath.Rel(r.opts.Dir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}

// humanBytes writes a size the way a log reader takes it in at a glance.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
