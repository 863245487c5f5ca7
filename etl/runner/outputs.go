package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"etlrunner/etl/export"
	"etlrunner/etl/materialize"
	"etlrunner/etl/plan"
	"etlrunner/etl/project"
	"etlrunner/etl/report"
	"etlrunner/etl/warehouse"
)

type stagedFile = export.File

// runExport writes every export of a model into the staging folder.
func (r *runner) runExport(ctx context.Context, n *plan.Node, res *report.NodeResult) error {
	id := exportID(n.ID)
	version, err := r.version(ctx, n.ID)
	if err != nil {
		return err
	}
	cfg, err := json.Marshal(n.Config.ExportList())
	if err != nil {
		return err
	}
	fp := hashOf(id, version, string(cfg))
	if r.upToDate(id, fp) && r.outputsIntact(n.Name) {
		r.reuse(id, fp)
		res.Message = "up to date"
		return nil
	}
	changes, err := r.changeLog(ctx, n)
	if err != nil {
		return err
	}
	var specs []export.Spec
	for _, e := range n.Config.ExportList() {
		spec := export.Spec{Model: n.Name, Relation: n.Relation.String(), Format: export.Format(e.Format), Path: e.Path,
			PartitionBy: e.PartitionBy, SplitBy: e.SplitBy, OrderBy: e.OrderBy, CompactAfter: export.DefaultCompactAfter}
		if p := e.Pivot; p != nil {
			spec.Pivot = &export.Pivot{Index: p.Index, Names: p.Names, Values: p.Values, Order: p.Order}
		}
		if s := e.Segment; s != nil {
			spec.Segment = &export.Segment{Column: s.Column, Width: s.Width}
			if s.CompactAfter != nil {
				spec.CompactAfter = *s.CompactAfter
			}
		}
		if changes != "" && !r.opts.FullRefresh && r.sameExportConfig(id, cfg) {
			// Only the files the logged rows fall in are written again, or
			// added to their segments.
			spec.Changes, spec.Previous, spec.OutputDir = changes, r.previousFiles(n.Name, e), r.outputDir()
		}
		specs = append(specs, spec)
	}
	// All of a model's exports at once: a CSV export cut like a Parquet one
	// is rendered from its Parquet files rather than sorted again.
	files, err := export.WriteAll(ctx, r.wh.DB, r.stage, specs)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.staged[n.ID] = files
	r.exportCfg[id] = hashOf(string(cfg))
	if hasLayout(n) && (n.Config.Materialized == project.Incremental || n.Config.Batch != "") {
		r.logged = append(r.logged, n.ID)
	}
	r.exports[id] = fp
	r.mu.Unlock()
	var rows int64
	for _, f := range files {
		if f.Format == export.Parquet || rows == 0 {
			rows = max(rows, f.Rows)
		}
	}
	res.Rows = rows
	res.Message = fmt.Sprintf("%d files staged", len(files))
	return nil
}

// finishOutputs publishes the staged outputs when the run succeeded and
// always removes the staging folder.
func (r *runner) finishOutputs(ctx context.Context, failed bool) error {
	defer func() {
		os.RemoveAll(r.stage)
		os.Remove(r.outputDir()) // only if empty: a first run that failed leaves nothing behind
	}()
	if failed {
		r.opts.Reporter.Info("Outputs not published: the run failed, the previous outputs are unchanged.")
		return nil
	}
	if len(r.staged) == 0 {
		return nil
	}
	var all []stagedFile
	ids := make([]string, 0, len(r.staged))
	for id := range r.staged {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		all = append(all, r.staged[id]...)
	}
	if err := export.Publish(r.stage, r.outputDir(), all); err != nil {
		return fmt.Errorf("publish outputs: %w", err)
	}
	for id, fp := range r.exports {
		r.built(id, fp, true)
		r.built(exportConfigID(id), r.exportCfg[id], true)
	}
	// The published files now match the models: their change logs start over.
	for _, id := range r.logged {
		if err := materialize.StartChanges(ctx, r.wh.DB, r.node(id).Relation); err != nil {
			return err
		}
	}
	m := export.Manifest{RunID: r.runID, GeneratedAt: time.Now().UTC(), Files: r.mergedManifest(all)}
	if err := export.WriteManifest(r.outputDir(), m); err != nil {
		return fmt.Errorf("write output manifest: %w", err)
	}
	r.opts.Reporter.Info(fmt.Sprintf("Published %d output files to %s", len(all), r.pl.Project.OutputDir))
	return nil
}

// mergedManifest keeps the entries of models this run did not export, so a
// run of a selection does not drop the rest of the outputs from the
// manifest; entries of re-exported models are replaced.
func (r *runner) mergedManifest(fresh []stagedFile) []stagedFile {
	replaced := map[string]bool{}
	for _, f := range fresh {
		replaced[f.Model] = true
	}
	out := append([]stagedFile(nil), fresh...)
	// The previous manifest was read once, when the run loaded its state.
	for model, files := range r.state.published {
		if replaced[model] || r.pl.Model(model) == nil {
			continue
		}
		for _, f := range files {
			if _, err := os.Stat(filepath.Join(r.outputDir(), filepath.FromSlash(f.Path))); err == nil {
				out = append(out, f)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// sameExportConfig reports whether the published files of an export were
// written with this config: another order or layout means writing every
// file again, whatever the change log says.
func (r *runner) sameExportConfig(id string, cfg []byte) bool {
	r.state.mu.Lock()
	defer r.state.mu.Unlock()
	return r.state.saved[exportConfigID(id)] == hashOf(string(cfg))
}

func exportConfigID(id string) string { return "config:" + id }

// hasLayout reports whether a model has a partitioned or segmented export,
// whose files a change log lets a run rewrite one by one.
func hasLayout(n *plan.Node) bool {
	for _, e := range n.Config.ExportList() {
		if len(e.PartitionBy) > 0 || e.Segment != nil {
			return true
		}
	}
	return false
}

// changeLog is the quoted change log of a model when it has one.
func (r *runner) changeLog(ctx context.Context, n *plan.Node) (string, error) {
	if !hasLayout(n) {
		return "", nil
	}
	log := materialize.ChangesRelation(n.Relation)
	kind, err := warehouse.RelationKind(ctx, r.wh.DB, log.Schema, log.Name)
	if err != nil || kind != "table" {
		return "", err
	}
	return log.String(), nil
}

// previousFiles are the published files of one export of a model: those
// of its format under its folder.
func (r *runner) previousFiles(model string, e project.Export) []stagedFile {
	dir := e.Path
	if dir == "" {
		dir = model
	}
	var out []stagedFile
	for _, f := range r.state.published[model] {
		if f.Format == export.Format(e.Format) && strings.HasPrefix(f.Path, dir+"/") {
			out = append(out, f)
		}
	}
	return out
}

// outputsIntact reports whether the files the manifest lists for a model
// are all still in place with their recorded size.
func (r *runner) outputsIntact(model string) bool {
	files := r.state.published[model]
	if len(files) == 0 {
		return false
	}
	for _, f := range files {
		st, err := os.Stat(filepath.Join(r.outputDir(), filepath.FromSlash(f.Path)))
		if err != nil || (!f.Empty && st.Size() != f.Bytes) {
			return false
		}
	}
	return true
}
