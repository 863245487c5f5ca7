// Package export writes model outputs (DuckDB relations) as Parquet and CSV
// files for BI tools: staged, verified, published atomically and listed in a
// manifest.
package export

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sync/errgroup"

	"etlrunner/etl/warehouse"
)

// Format is the file format of an export.
type Format string

// The supported formats.
const (
	Parquet Format = "parquet"
	CSV     Format = "csv"
)

// Spec describes one export of a model.
type Spec struct {
	// Model names the model; it gives the default path and appears in the manifest.
	Model string
	// Relation is the SQL relation to read, already quoted, e.g. "gold"."x".
	Relation string
	Format   Format
	// Path is relative to the output dir, default "<Model>.<ext>", or
	// "<Model>" when the output is a directory (partitioned, segmented or
	// split).
	Path string
	// PartitionBy writes hive partitions <Path>/<col>=<value>/data_0.<ext>.
	PartitionBy []string
	// Segment splits each partition (or an unpartitioned directory export)
	// into one file per time bucket of a column:
	// <Path>/<c>=<v>/part-<start>.<ext>, so a run that changes a few
	// buckets touches only their files; an incremental run may add files
	// <Path>/<c>=<v>/part-<start>_<nnnn>.<ext> to a bucket (see
	// CompactAfter).
	Segment *Segment
	// SplitBy writes one file per distinct value: <Path>/<col>=<value>.<ext>.
	SplitBy string
	// Pivot turns a long table into wide columns, per split file (over the
	// whole table without SplitBy); each file gets its own name columns.
	Pivot *Pivot
	// OrderBy entries are column names, each optionally followed by ASC or
	// DESC. Empty keeps the table's own order (pivots: the index order).
	OrderBy []string

	// Changes, when set, is a quoted relation holding every row inserted
	// into or deleted from Relation since Previous was published (same
	// columns as Relation, possibly more). Only the files of the
	// partitions/segments those rows fall in are written again; every other
	// file of Previous is carried over unchanged. It applies to partitioned
	// and segmented exports; others are always written in full.
	Changes string
	// Previous lists the files of this export as last published (from the
	// output manifest: paths relative to the output dir).
	Previous []File
	// OutputDir is where Previous lives, so carried files can be linked
	// into the stage.
	OutputDir string
	// CompactAfter applies when Changes is set and the export is
	// segmented: rows that only add to a segment go into one more file in
	// it (part-<start>_<nnnn>), written from the change log, instead of
	// the segment being rewritten, until the segment would hold more than
	// CompactAfter added files; it is then rewritten as one file. A file
	// holding rows that were deleted or replaced is rewritten without
	// them. 0 rewrites every segment the changes touch as one file.
	CompactAfter int
}

// DefaultCompactAfter is the CompactAfter the runner uses unless an export
// says otherwise: a 30-minute segment fed by minute runs gathers about 30
// added files before time moves on to the next segment.
const DefaultCompactAfter = 30

// Pivot turns rows of (index..., name, value) into one row per index with a
// column per name.
type Pivot struct {
	// Index columns are kept as they are and identify an output row.
	Index []string
	// Names is the column whose values become column names.
	Names string
	// Values is the column whose values fill the new columns.
	Values string
	// Order orders the new columns by its minimum per name (ties by name);
	// empty orders them by name.
	Order string
}

// File is one written file. Path is relative to the output dir, with
// forward slashes.
type File struct {
	Path    string             `json:"path"`
	Model   string             `json:"model"`
	Format  Format             `json:"format"`
	Rows    int64              `json:"rows"`
	Bytes   int64              `json:"bytes"`
	SHA256  string             `json:"sha256"`
	Columns []warehouse.Column `json:"columns"`
	// Segment records how a segmented export cut its files ("<column>/<width
	// as DuckDB renders it>"), so an incremental run carries a file over
	// only when the cut is still the same.
	Segment string `json:"segment,omitempty"`
	// Empty marks a partitioned or split export of a relation with no rows:
	// Path is then its directory (ending in "/"), published empty so that
	// the previous run's files do not linger as if they were current.
	Empty bool `json:"empty,omitempty"`
	// Unit is the path Publish replaces as a whole: Path itself for a single
	// file, the export's directory for partitioned or split output.
	Unit string `json:"-"`
}

// Write writes spec's output into stageDir (a mirror of the output layout),
// verifies every file against the relation and returns them. It runs on db
// directly, outside any transaction, so DuckDB can use all its threads.
// With spec.Changes it writes only the files those rows touch (see
// CompactAfter) and links the rest of spec.Previous into the stage,
// falling back to a full write whenever Previous does not match what is
// published.
func Write(ctx context.Context, db *sql.DB, stageDir string, spec Spec) ([]File, error) {
	return WriteAll(ctx, db, stageDir, []Spec{spec})
}

// verify re-checks what Write staged for spec without writing anything: the
// same check Write runs right after each COPY.
func verify(ctx context.Context, db *sql.DB, stageDir string, spec Spec) ([]File, error) {
	return stage(ctx, db, stageDir, spec, false)
}

func stage(ctx context.Context, db *sql.DB, stageDir string, spec Spec, write bool) ([]File, error) {
	spec, err := normalize(spec)
	if err != nil {
		return nil, err
	}
	cols, err := relationColumns(ctx, db, spec.Relation)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", spec.Model, err)
	}
	if write && spec.Changes != "" && spec.cutsFiles() {
		files, done, err := writeIncremental(ctx, db, stageDir, spec, cols)
		if err != nil || done {
			return files, err
		}
	}
	outs, err := plan(ctx, db, spec, cols)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", spec.Model, err)
	}
	if write {
		if err := clearStage(stageDir, spec); err != nil {
			return nil, err
		}
	}
	files, err := writeOutputs(ctx, db, stageDir, spec, outs, write)
	if err != nil {
		return nil, err
	}
	if spec.isDir() && spec.Pivot == nil {
		if err := checkTotal(ctx, db, spec, files); err != nil {
			return nil, err
		}
	}
	if len(files) == 0 {
		return emptyOutput(stageDir, spec, cols)
	}
	return files, nil
}

// clearStage removes what an earlier attempt left in the stage: a retried
// Write must not mix with it, such as the file of a split value that no
// longer exists.
func clearStage(stageDir string, spec Spec) error {
	if err := os.RemoveAll(filepath.Join(stageDir, filepath.FromSlash(spec.Path))); err != nil {
		return fmt.Errorf("export %s: clear stage: %w", spec.Model, err)
	}
	return nil
}

// emptyOutput stages the empty directory of an export without rows.
// Publish learns what to replace from the files; with none, a previous
// directory full of stale files would silently stay in place, so an empty
// relation stages an empty directory and says so.
func emptyOutput(stageDir string, spec Spec, cols []warehouse.Column) ([]File, error) {
	dir := filepath.Join(stageDir, filepath.FromSlash(spec.Path))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export %s: stage: %w", spec.Model, err)
	}
	return []File{{Path: spec.Path + "/", Model: spec.Model, Format: spec.Format, Columns: cols, Empty: true, Unit: spec.Path}}, nil
}

// exportWorkers is how many files are written at once: a file of a
// partitioned or segmented export is often too small for one COPY to keep
// every DuckDB thread busy.
const exportWorkers = 2

// writeOutputs writes every output into the stage (or, without write,
// only re-checks what is there) and verifies each file, a few at a time.
// Files come back in the order of outs.
func writeOutputs(ctx context.Context, db *sql.DB, stageDir string, spec Spec, outs []output, write bool) ([]File, error) {
	files := make([]File, len(outs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(exportWorkers)
	for i, o := range outs {
		g.Go(func() error {
			var want int64
			var err error
			if write {
				want, err = writeOutput(gctx, db, stageDir, spec.Format, o)
			} else {
				want, err = countRows(gctx, db, o.source)
			}
			if err != nil {
				return err
			}
			file, err := verifyOutput(stageDir, spec.Format, o, want)
			if err != nil {
				return err
			}
			file.Model, file.Unit, file.Segment = spec.Model, o.unit, o.segment
			files[i] = file
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("export %s: %w", spec.Model, err)
	}
	return files, nil
}

// writeOutput runs the COPY for one output into the stage and returns how
// many rows it wrote, which the file read back must hold.
func writeOutput(ctx context.Context, db *sql.DB, stageDir string, f Format, o output) (int64, error) {
	target := filepath.Join(stageDir, filepath.FromSlash(o.path))
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return 0, fmt.Errorf("stage %s: %w", o.path, err)
	}
	var n int64
	if err := db.QueryRowContext(ctx, copySQL(f, o, target)).Scan(&n); err != nil {
		return 0, fmt.Errorf("write %s: %w", o.path, err)
	}
	return n, nil
}

// checkTotal proves the files of a partitioned or split export together
// hold every row of the relation: none lost between the per-value COPYs.
func checkTotal(ctx context.Context, db *sql.DB, spec Spec, files []File) error {
	want, err := countRows(ctx, db, spec.Relation)
	if err != nil {
		return fmt.Errorf("export %s: %w", spec.Model, err)
	}
	var total int64
	for _, f := range files {
		total += f.Rows
	}
	if total != want {
		return fmt.Errorf("export %s: verify %s: files hold %d rows in total, relation has %d", spec.Model, spec.Path, total, want)
	}
	return nil
}

func countRows(ctx context.Context, db *sql.DB, source string) (int64, error) {
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+source).Scan(&n); err != nil {
		return 0, fmt.Errorf("count rows: %w", err)
	}
	return n, nil
}

func (f Format) ext() string { return string(f) }
