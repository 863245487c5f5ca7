package export

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"etlrunner/etl/warehouse"
)

// WriteAll writes the exports of one model, in order, and returns their
// files in that order (see Write).
//
// A CSV export cut like one of the Parquet exports (same relation,
// partition_by, segment and order_by, another path) is rendered from that
// export's staged Parquet files, file by file, rather than from the
// relation: DuckDB reads a Parquet file back in the order it was written,
// so the relation is sorted once for both formats and each CSV file holds
// the bytes a write from the relation would (the Parquet types must read
// back as the relation's, which is checked first; otherwise the CSV export
// is written on its own). An incremental run keeps the two exports' files
// twins: a CSV file is carried over when its Parquet twin was.
func WriteAll(ctx context.Context, db *sql.DB, stageDir string, specs []Spec) ([]File, error) {
	norm := make([]Spec, len(specs))
	for i, s := range specs {
		n, err := normalize(s)
		if err != nil {
			return nil, err
		}
		norm[i] = n
	}
	from := mirrorSources(norm)
	out := make([][]File, len(norm))
	for i, s := range norm {
		if _, ok := from[i]; ok {
			continue
		}
		files, err := stage(ctx, db, stageDir, s, true)
		if err != nil {
			return nil, err
		}
		out[i] = files
	}
	for i, s := range norm {
		j, ok := from[i]
		if !ok {
			continue
		}
		files, err := writeMirror(ctx, db, stageDir, s, norm[j], out[j])
		if err != nil {
			return nil, err
		}
		out[i] = files
	}
	return slices.Concat(out...), nil
}

// mirrorSources maps each CSV export that can be rendered from a Parquet
// export of specs (normalized) to that export's index.
func mirrorSources(specs []Spec) map[int]int {
	from := map[int]int{}
	for i, c := range specs {
		if c.Format != CSV || !c.cutsFiles() {
			continue
		}
		for j, p := range specs {
			if p.Format == Parquet && sameCut(c, p) && p.Path != c.Path &&
				!strings.HasPrefix(p.Path, c.Path+"/") && !strings.HasPrefix(c.Path, p.Path+"/") {
				from[i] = j
				break
			}
		}
	}
	return from
}

// sameCut reports exports whose files hold the same rows in the same
// order.
func sameCut(a, b Spec) bool {
	segEqual := a.Segment == nil && b.Segment == nil ||
		a.Segment != nil && b.Segment != nil && *a.Segment == *b.Segment
	return a.Relation == b.Relation && segEqual &&
		slices.Equal(a.PartitionBy, b.PartitionBy) && slices.Equal(a.OrderBy, b.OrderBy)
}

// writeMirror stages CSV export c from the files Parquet export p staged
// (pfiles): each CSV file is the Parquet file of the same name rendered as
// CSV, or, when that Parquet file was carried over unchanged and c's
// published files hold its CSV twin with as many rows, the twin carried
// over too.
func writeMirror(ctx context.Context, db *sql.DB, stageDir string, c, p Spec, pfiles []File) ([]File, error) {
	fail := func(err error) ([]File, error) { return nil, fmt.Errorf("export %s: %w", c.Model, err) }
	cols, err := relationColumns(ctx, db, c.Relation)
	if err != nil {
		return fail(err)
	}
	if err := checkColumns(c, cols); err != nil {
		return fail(err)
	}
	kept := withoutColumns(cols, c.PartitionBy)
	if len(pfiles) == 0 || pfiles[0].Empty {
		if err := clearStage(stageDir, c); err != nil {
			return nil, err
		}
		return emptyOutput(stageDir, c, cols)
	}
	if !readsBackAs(ctx, db, filepath.Join(stageDir, filepath.FromSlash(pfiles[0].Path)), kept) {
		return stage(ctx, db, stageDir, c, true)
	}
	// Published CSV files may be carried only from an intact listing of
	// the same cut, as for an incremental write of c itself.
	prevCSV := map[string]File{}
	if c.Changes != "" {
		l, err := newLayout(ctx, db, c, cols)
		if err != nil {
			return fail(err)
		}
		if l.canCarry(c.Previous, c.OutputDir) {
			for _, f := range c.Previous {
				prevCSV[f.Path] = f
			}
		}
	}
	prevParquet := map[string]File{}
	for _, f := range p.Previous {
		prevParquet[f.Path] = f
	}
	if err := clearStage(stageDir, c); err != nil {
		return nil, err
	}
	files := make([]File, len(pfiles))
	var outs []output
	var derived []int
	for i, pf := range pfiles {
		rel, ok := strings.CutPrefix(pf.Path, p.Path+"/")
		if !ok {
			return fail(fmt.Errorf("parquet file %s lies outside %s", pf.Path, p.Path))
		}
		path := c.Path + "/" + strings.TrimSuffix(rel, "."+Parquet.ext()) + "." + CSV.ext()
		old, had := prevCSV[path]
		twin, published := prevParquet[pf.Path]
		if had && published && twin.SHA256 == pf.SHA256 && twin.Bytes == pf.Bytes && old.Rows == pf.Rows {
			if err := carry(ctx, c.OutputDir, stageDir, path); err != nil {
				return fail(err)
			}
			old.Unit = c.Path
			files[i] = old
			continue
		}
		abs := filepath.Join(stageDir, filepath.FromSlash(pf.Path))
		outs = append(outs, output{path: path, unit: c.Path, cols: kept, segment: pf.Segment,
			source: "read_parquet(" + warehouse.QuoteString(abs) + ", hive_partitioning = false)"})
		derived = append(derived, i)
	}
	got, err := writeOutputs(ctx, db, stageDir, c, outs, true)
	if err != nil {
		return nil, err
	}
	for k, i := range derived {
		if got[k].Rows != pfiles[i].Rows {
			return fail(fmt.Errorf("verify %s: file has %d rows, its parquet twin %d", got[k].Path, got[k].Rows, pfiles[i].Rows))
		}
		files[i] = got[k]
	}
	return files, nil
}

// readsBackAs reports whether DuckDB reads the Parquet file at path back
// with exactly the columns want, names and types: then its rows compare
// and render as the relation's own. HUGEINT (written as DOUBLE),
// TIMESTAMP_S and _MS (read back as TIMESTAMP) and ENUM (read back as
// VARCHAR) do not.
func readsBackAs(ctx context.Context, db *sql.DB, path string, want []warehouse.Column) bool {
	got, err := warehouse.Describe(ctx, db, "read_parquet("+warehouse.QuoteString(path)+", hive_partitioning = false)")
	if err != nil || len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Name != want[i].Name || !strings.EqualFold(strings.Join(strings.Fields(got[i].Type), " "), strings.Join(strings.Fields(want[i].Type), " ")) {
			return false
		}
	}
	return true
}
