package runner

import (
	"context"
	"fmt"
	"time"

	"etlrunner/etl/report"
)

// recordStart notes the run in the warehouse's own run table.
func (r *runner) recordStart(ctx context.Context, started time.Time) error {
	_, err := r.wh.DB.ExecContext(ctx, `INSERT INTO etl_meta.runs (run_id, command, started_at, status) VALUES (?, ?, ?, 'running')`,
		r.runID, r.opts.Command, started.UTC())
	if err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	return nil
}

func (r *runner) recordFinish(ctx context.Context, status string) error {
	_, err := r.wh.DB.ExecContext(ctx, `UPDATE etl_meta.runs SET finished_at = now(), status = ? WHERE run_id = ?`, status, r.runID)
	if err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	return nil
}

// writeArtifacts writes run_results.json and manifest.json.
func (r *runner) writeArtifacts(info report.Run, s report.Summary) error {
	if err := report.WriteRunResults(r.targetDir(), info, s, r.opts.Args); err != nil {
		return err
	}
	return report.WriteManifest(r.targetDir(), r.runID, r.opts.Command, r.pl)
}
