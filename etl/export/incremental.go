package export

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"etlrunner/etl/warehouse"
)

// linkFile is os.Link, a variable so tests can make linking fail.
var linkFile = os.Link

// countingFailed hears why counting changed rows failed before the cells
// are compacted instead; tests make it fail them.
var countingFailed = func(error) {}

// writeIncremental stages spec from what is published and the rows of
// spec.Changes, the change log: every row inserted into the relation since
// spec.Previous was published and the old version of every row deleted or
// replaced since. Only the cells (partition values and segment) those rows
// fall in are touched; every other file of spec.Previous is carried over.
// In a touched cell it
//
//   - writes the cell as one file from the relation (compacts it) when
//     the cell has no published file yet, the export is not segmented,
//     CompactAfter is 0, or the cell would hold more than CompactAfter
//     added files;
//   - otherwise adds one file holding the cell's new rows, written from
//     the change log, and rewrites each file that holds a row to remove
//     (the base file or an added one) without that row. Redeliveries
//     replace recent rows, so the next run finds them in the small file
//     this one added, not in the segment's base.
//
// Which rows are new and which must go is decided by counting, not by a
// flag in the log. For each distinct row v of the log (all columns, NULLs
// equal): l = its copies in the log, r = in the relation now, p = in the
// cell's published files. A delete removes every copy of a row at once
// (it selects rows by their values: the materializer's by unique_key), so
// over the runs the log spans, if no published copy was deleted then
// r = p + l, and if some was, l = p + r + 2k (k: copies inserted and
// deleted again since), so l > r. Hence when l <= r, p = r - l and the l
// logged copies are the new ones; only when l > r is p unknown. A Parquet
// export then reads p back from its files (only the rows v with l > r, in
// files whose min/max may hold them): copies beyond p are new (r - p of
// them); when r < p a copy was deleted, so every file holding v drops all
// its copies and the new file gets r. The result holds exactly the
// relation's rows, however many runs the log spans, and a replaced row
// whose new version equals the old (a redelivery: l = 2, r = p = 1) costs
// nothing. A CSV export (with no Parquet twin to mirror) cannot read its
// files back cheaply: it adds the log's rows of a cell only when no v has
// l > r, and otherwise compacts the cell.
//
// done is false, with no error, when Previous cannot be trusted to be the
// rest of the export: the caller then writes everything.
func writeIncremental(ctx context.Context, db *sql.DB, stageDir string, spec Spec, cols []warehouse.Column) ([]File, bool, error) {
	fail := func(err error) ([]File, bool, error) {
		return nil, false, fmt.Errorf("export %s: %w", spec.Model, err)
	}
	if err := checkColumns(spec, cols); err != nil {
		return fail(err)
	}
	l, err := newLayout(ctx, db, spec, cols)
	if err != nil {
		return fail(err)
	}
	if !l.canCarry(spec.Previous, spec.OutputDir) {
		return nil, false, nil
	}
	changed, err := l.checkChanges(ctx, db, cols)
	if err != nil {
		return fail(err)
	}
	touched, err := l.keys(ctx, db, spec.Changes)
	if err != nil {
		return fail(fmt.Errorf("changes: %w", err))
	}
	p, err := l.planCells(ctx, db, cols, changed, touched)
	defer p.drop(db)
	if err != nil {
		return fail(err)
	}
	if err := clearStage(stageDir, spec); err != nil {
		return nil, false, err
	}
	written, err := writeOutputs(ctx, db, stageDir, spec, p.writes, true)
	if err != nil {
		return nil, false, err
	}
	var files []File
	for _, f := range written {
		if f.Rows > 0 {
			files = append(files, f)
			continue
		}
		// A file whose rows are all gone is not published, and so
		// disappears, its folder too when it held nothing else.
		if err := removeStaged(stageDir, spec.Path, f.Path); err != nil {
			return fail(err)
		}
	}
	for _, f := range p.carried {
		if err := carry(ctx, spec.OutputDir, stageDir, f.Path); err != nil {
			return fail(err)
		}
		f.Unit = spec.Path
		files = append(files, f)
	}
	l.sortFiles(files)
	if err := checkTotal(ctx, db, spec, files); err != nil {
		return nil, false, err
	}
	if len(files) == 0 {
		files, err := emptyOutput(stageDir, spec, cols)
		return files, err == nil, err
	}
	return files, true, nil
}

// removeStaged removes the staged file rel and then each folder above it,
// up to unit, that it leaves empty.
func removeStaged(stageDir, unit, rel string) error {
	if err := os.Remove(filepath.Join(stageDir, filepath.FromSlash(rel))); err != nil {
		return err
	}
	for dir := path.Dir(rel); dir != unit && strings.HasPrefix(dir, unit+"/"); dir = path.Dir(dir) {
		if os.Remove(filepath.Join(stageDir, filepath.FromSlash(dir))) != nil {
			break // not empty
		}
	}
	return nil
}
