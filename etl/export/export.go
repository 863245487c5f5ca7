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
	// "<Model>" when the output is a directory (partitioned or split).
	Path string
	// PartitionBy writes hive partitions <Path>/<col>=<value>/data_0.<ext>.
	PartitionBy []string
	// SplitBy writes one file per distinct value: <Path>/<col>=<value>.<ext>.
	SplitBy string
	// Pivot turns a long table into wide columns, per split file (over the
	// whole table without SplitBy); each file gets its own name columns.
	Pivot *Pivot
	// OrderBy entries are column names, each optionally followed by ASC or
	// DESC. Empty keeps the table's own order (pivots: the index order).
	OrderBy []string
}

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
func Write(ctx context.Context, db *sql.DB, stageDir string, spec Spec) ([]File, error) {
	return stage(ctx, db, stageDir, spec, true)
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
	outs, err := plan(ctx, db, spec, cols)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", spec.Model, err)
	}
	if write {
		// A retried Write must not mix with what an earlier attempt left
		// behind, such as the file of a split value that no longer exists.
		if err := os.RemoveAll(filepath.Join(stageDir, filepath.FromSlash(spec.Path))); err != nil {
			return nil, fmt.Errorf("export %s: clear stage: %w", spec.Model, err)
		}
	}
	var files []File
	for _, o := range outs {
		if write {
			if err := writeOutput(ctx, db, stageDir, spec.Format, o); err != nil {
				return nil, fmt.Errorf("export %s: %w", spec.Model, err)
			}
		}
		want, err := countRows(ctx, db, o.source)
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", spec.Model, err)
		}
		file, err := verifyOutput(ctx, db, stageDir, spec.Format, o, want)
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", spec.Model, err)
		}
		file.Model, file.Unit = spec.Model, o.unit
		files = append(files, file)
	}
	if spec.isDir() && spec.Pivot == nil {
		if err := checkTotal(ctx, db, spec, files); err != nil {
			return nil, err
		}
	}
	// Publish learns what to replace from the files; with none, a previous
	// directory full of stale files would silently stay in place, so an
	// empty relation stages an empty directory and says so.
	if len(files) == 0 {
		dir := filepath.Join(stageDir, filepath.FromSlash(spec.Path))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("export %s: stage: %w", spec.Model, err)
		}
		files = append(files, File{Path: spec.Path + "/", Model: spec.Model, Format: spec.Format, Columns: cols, Empty: true, Unit: spec.Path})
	}
	return files, nil
}

// writeOutput runs the COPY for one output into the stage.
func writeOutput(ctx context.Context, db *sql.DB, stageDir string, f Format, o output) error {
	target := filepath.Join(stageDir, filepath.FromSlash(o.path))
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("stage %s: %w", o.path, err)
	}
	if _, err := db.ExecContext(ctx, copySQL(f, o, target)); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	return nil
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
