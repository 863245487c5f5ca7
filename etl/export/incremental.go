package export

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
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

// prevFile is a published file with the key its path names.
type prevFile struct {
	key  fileKey
	file File
}

// cellPlan is what an incremental write does: the COPYs to run and the
// published files to carry over.
type cellPlan struct {
	writes  []output
	carried []File
	scratch []string // tables to drop afterwards
}

func (p cellPlan) drop(db *sql.DB) {
	for _, t := range p.scratch {
		_, _ = db.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+t)
	}
}

// planCells decides what happens to each cell: untouched ones are carried,
// touched ones compacted or added to (see writeIncremental).
func (l layout) planCells(ctx context.Context, db *sql.DB, cols, changed []warehouse.Column, touched []fileKey) (cellPlan, error) {
	var p cellPlan
	prev := map[string][]prevFile{}
	for _, f := range l.spec.Previous {
		k, _ := l.parsePath(f.Path) // canCarry checked every path
		prev[k.cell().cellID()] = append(prev[k.cell().cellID()], prevFile{k, f})
	}
	isTouched := map[string]bool{}
	var compact, candidates []fileKey
	appendable := l.seg != nil && l.spec.CompactAfter > 0 && logHoldsRows(cols, changed)
	for _, k := range touched {
		id := k.cellID()
		isTouched[id] = true
		if appendable && len(prev[id]) > 0 {
			candidates = append(candidates, k)
		} else {
			compact = append(compact, k)
		}
	}
	for _, f := range l.spec.Previous {
		if k, _ := l.parsePath(f.Path); !isTouched[k.cell().cellID()] {
			p.carried = append(p.carried, f)
		}
	}
	if len(candidates) > 0 {
		a, err := l.analyze(ctx, db, cols, candidates, prev)
		p.scratch = a.tables
		switch {
		case ctx.Err() != nil:
			return p, ctx.Err()
		case err != nil:
			// Counting failed (a column type DuckDB cannot compare, say):
			// compacting the cells is always right.
			countingFailed(err)
			compact = append(compact, candidates...)
		default:
			for id, k := range a.keys {
				verdict := a.cells[id]
				if verdict.compact {
					compact = append(compact, k)
					continue
				}
				p.carried = append(p.carried, verdict.keep...)
				for _, f := range verdict.rewrite {
					o, err := l.rewriteOutput(f, a)
					if err != nil {
						return p, err
					}
					p.writes = append(p.writes, o)
				}
				if verdict.add > 0 {
					o, err := l.addedOutput(k, verdict.seq, a)
					if err != nil {
						return p, err
					}
					p.writes = append(p.writes, o)
				}
			}
		}
	}
	slices.SortFunc(compact, compareKeys)
	outs, err := l.outputs(compact)
	if err != nil {
		return p, err
	}
	p.writes = append(p.writes, outs...)
	slices.SortFunc(p.writes, func(a, b output) int { return strings.Compare(a.path, b.path) })
	return p, nil
}

// logHoldsRows reports whether the change log has every column of the
// relation with its type, so its rows can be written as they are, and
// whether no column name collides with the counting's own.
func logHoldsRows(cols, changed []warehouse.Column) bool {
	for _, c := range cols {
		if strings.HasPrefix(strings.ToLower(c.Name), "__etl_") || columnType(changed, c.Name) != c.Type {
			return false
		}
	}
	return true
}

// analysis holds the counts of an incremental write's changed rows, in
// scratch tables, and what they mean for each candidate cell.
type analysis struct {
	tables []string
	rows   string // one row per distinct changed row: its columns, __etl_cell, the counts, __etl_add, __etl_drop
	ids    map[string]int
	keys   map[string]fileKey
	cells  map[string]cellVerdict
}

// cellVerdict is what an incremental write does to one candidate cell:
// compact it (one file from the relation), or add to it (keep, rewrite,
// add).
type cellVerdict struct {
	compact bool
	keep    []File // published files carried over
	rewrite []File // published files rewritten without the rows to drop
	add     int64  // rows of the new file
	seq     int    // the new file's number
}

// analyze counts the changed rows of the candidate cells (see
// writeIncremental) and decides each cell's fate.
func (l layout) analyze(ctx context.Context, db *sql.DB, cols []warehouse.Column, candidates []fileKey, prev map[string][]prevFile) (analysis, error) {
	a := analysis{ids: map[string]int{}, keys: map[string]fileKey{}, cells: map[string]cellVerdict{}}
	prefix, err := scratchPrefix()
	if err != nil {
		return a, err
	}
	table := func(name string) string {
		t := warehouse.QuoteIdent(warehouse.Scratch) + "." + warehouse.QuoteIdent(prefix+name)
		a.tables = append(a.tables, t)
		return t
	}
	exec := func(q string) error {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("count changed rows: %w", err)
		}
		return nil
	}
	all, kept := colNames(cols), colNames(l.kept)
	seg := warehouse.QuoteIdent(l.seg.col)

	// The candidate cells, numbered, with their partition values and
	// bucket name as text, as the file paths spell them.
	var values []string
	for i, k := range candidates {
		a.ids[k.cellID()], a.keys[k.cellID()] = i, k
		row := []string{strconv.Itoa(i)}
		for _, v := range k.parts {
			row = append(row, nullableText(v))
		}
		row = append(row, nullableText(sql.NullString{String: k.seg.name, Valid: !k.seg.null}))
		values = append(values, "("+strings.Join(row, ", ")+")")
	}
	cellCols := []string{`"__etl_cell"`}
	var match []string
	for i, c := range l.spec.PartitionBy {
		k := fmt.Sprintf(`"__etl_k%d"`, i)
		cellCols = append(cellCols, k)
		match = append(match, fmt.Sprintf("c.%s IS NOT DISTINCT FROM CAST(g.%s AS VARCHAR)", k, warehouse.QuoteIdent(c)))
	}
	cellCols = append(cellCols, `"__etl_b"`)
	match = append(match, fmt.Sprintf(`c."__etl_b" IS NOT DISTINCT FROM strftime(time_bucket(CAST(%s AS INTERVAL), g.%s), %s)`,
		warehouse.QuoteString(l.seg.width), seg, warehouse.QuoteString(segmentNameFormat)))

	// l: each distinct changed row of a candidate cell, with its copies.
	chg := table("chg")
	if err := exec(fmt.Sprintf(`CREATE TABLE %s AS SELECT c."__etl_cell", g.* FROM (SELECT %s, count(*) AS "__etl_l" FROM %s GROUP BY ALL) AS g
		JOIN (VALUES %s) AS c(%s) ON %s`,
		chg, quoteList("", all), l.spec.Changes, strings.Join(values, ", "), strings.Join(cellCols, ", "), strings.Join(match, " AND "))); err != nil {
		return a, err
	}
	// The changed rows' span of the segment column lets scans skip row
	// groups (and published files) by their min/max.
	spanOf := func(where string) (func(alias string) string, int64, error) {
		var lo, hi sql.NullString
		var hasNull sql.NullBool
		var n int64
		if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT CAST(min(%[1]s) AS VARCHAR), CAST(max(%[1]s) AS VARCHAR), bool_or(%[1]s IS NULL), count(*) FROM %[2]s",
			seg, where)).Scan(&lo, &hi, &hasNull, &n); err != nil {
			return nil, 0, fmt.Errorf("count changed rows: %w", err)
		}
		return func(alias string) string {
			ref := alias + "." + seg
			var conds []string
			if lo.Valid {
				conds = append(conds, fmt.Sprintf("%[1]s >= CAST(%[2]s AS %[4]s) AND %[1]s <= CAST(%[3]s AS %[4]s)",
					ref, warehouse.QuoteString(lo.String), warehouse.QuoteString(hi.String), l.seg.typ))
			}
			if hasNull.Bool {
				conds = append(conds, ref+" IS NULL")
			}
			if len(conds) == 0 {
				return "false"
			}
			return "(" + strings.Join(conds, " OR ") + ")"
		}, n, nil
	}
	span, _, err := spanOf(chg)
	if err != nil {
		return a, err
	}

	// r: the copies of each in the relation now.
	counted := table("v")
	if err := exec(fmt.Sprintf(`CREATE TABLE %[1]s AS SELECT c.*, coalesce(m."__etl_r", 0) AS "__etl_r" FROM %[2]s AS c LEFT JOIN (
			SELECT %[3]s, count(*) AS "__etl_r" FROM (SELECT %[4]s FROM %[5]s AS t SEMI JOIN %[2]s AS c ON %[6]s WHERE %[7]s) GROUP BY ALL
		) AS m ON %[8]s`,
		counted, chg, quoteList("", all), quoteList("t.", all), l.spec.Relation, sameRow("t", "c", all), span("t"), sameRow("c", "m", all))); err != nil {
		return a, err
	}

	// p: the copies of each in the cell's published files, read back from
	// a Parquet export whose files read back as the relation's types.
	exact := l.spec.Format == Parquet
	var files []prevFile
	for _, k := range candidates {
		files = append(files, prev[k.cellID()]...)
	}
	if exact && !readsBackAs(ctx, db, filepath.Join(l.spec.OutputDir, filepath.FromSlash(files[0].file.Path)), l.kept) {
		exact = false
	}
	final := table("w")
	if exact {
		// Only a row with more copies in the log than in the relation can
		// have lost a published copy (with l <= r, p is r - l: see
		// writeIncremental), so only those are looked for in the files:
		// recent rows in practice, which the files' min/max of the
		// segment column mostly rule out.
		suspects := fmt.Sprintf(`(SELECT * FROM %s WHERE "__etl_l" > "__etl_r")`, counted)
		suspectSpan, n, err := spanOf(suspects)
		if err != nil {
			return a, err
		}
		reads := []string{fmt.Sprintf(`SELECT -1 AS "__etl_f", -1 AS "__etl_cell", %s FROM %s WHERE false`, quoteList("", kept), counted)}
		for i, f := range files {
			if n == 0 {
				break
			}
			abs := filepath.Join(l.spec.OutputDir, filepath.FromSlash(f.file.Path))
			reads = append(reads, fmt.Sprintf(`SELECT %d AS "__etl_f", %d AS "__etl_cell", * FROM read_parquet(%s, hive_partitioning = false) AS t WHERE %s`,
				i, a.ids[f.key.cell().cellID()], warehouse.QuoteString(abs), suspectSpan("t")))
		}
		found := table("p")
		if err := exec(fmt.Sprintf(`CREATE TABLE %s AS SELECT q."__etl_f", q."__etl_cell", %s, count(*) AS "__etl_n" FROM (%s) AS q
			SEMI JOIN %s AS c ON c."__etl_cell" = q."__etl_cell" AND %s GROUP BY ALL`,
			found, quoteList("q.", kept), strings.Join(reads, " UNION ALL "), suspects, sameRow("q", "c", kept))); err != nil {
			return a, err
		}
		withP := table("vp")
		if err := exec(fmt.Sprintf(`CREATE TABLE %[1]s AS SELECT v.*, CAST(CASE WHEN v."__etl_l" > v."__etl_r" THEN coalesce(p."__etl_p", 0)
				ELSE v."__etl_r" - v."__etl_l" END AS BIGINT) AS "__etl_p" FROM %[2]s AS v LEFT JOIN (
				SELECT "__etl_cell", %[3]s, sum("__etl_n") AS "__etl_p" FROM %[4]s GROUP BY ALL
			) AS p ON p."__etl_cell" = v."__etl_cell" AND %[5]s`,
			withP, counted, quoteList("", kept), found, sameRow("p", "v", kept))); err != nil {
			return a, err
		}
		if err := exec(fmt.Sprintf(`CREATE TABLE %s AS SELECT *,
				CAST(CASE WHEN "__etl_r" < "__etl_p" THEN "__etl_r" ELSE "__etl_r" - "__etl_p" END AS BIGINT) AS "__etl_add",
				"__etl_r" < "__etl_p" AS "__etl_drop" FROM %s`, final, withP)); err != nil {
			return a, err
		}
		// The files holding a row to drop.
		rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT p."__etl_f" FROM %s AS p SEMI JOIN (SELECT * FROM %s WHERE "__etl_drop") AS w
			ON w."__etl_cell" = p."__etl_cell" AND %s`, found, final, sameRow("p", "w", kept)))
		if err != nil {
			return a, fmt.Errorf("count changed rows: %w", err)
		}
		dirty := map[int]bool{}
		for rows.Next() {
			var i int
			if err := rows.Scan(&i); err != nil {
				rows.Close()
				return a, err
			}
			dirty[i] = true
		}
		if err := rows.Close(); err != nil {
			return a, err
		}
		for i, f := range files {
			if dirty[i] {
				id := f.key.cell().cellID()
				v := a.cells[id]
				v.rewrite = append(v.rewrite, f.file)
				a.cells[id] = v
			}
		}
	} else if err := exec(fmt.Sprintf(`CREATE TABLE %s AS SELECT *, 0::BIGINT AS "__etl_p", "__etl_l" AS "__etl_add", false AS "__etl_drop" FROM %s`, final, counted)); err != nil {
		return a, err
	}
	a.rows = final

	// Per cell: the new file's rows, and (without read-back) whether a
	// published row may be gone.
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT "__etl_cell", CAST(sum("__etl_add") AS BIGINT), bool_or("__etl_l" > "__etl_r") FROM %s GROUP BY ALL`, final))
	if err != nil {
		return a, fmt.Errorf("count changed rows: %w", err)
	}
	added, lossy := map[int]int64{}, map[int]bool{}
	for rows.Next() {
		var id int
		var n int64
		var lost bool
		if err := rows.Scan(&id, &n, &lost); err != nil {
			rows.Close()
			return a, err
		}
		added[id], lossy[id] = n, lost
	}
	if err := rows.Close(); err != nil {
		return a, err
	}
	for id := range a.keys {
		v := a.cells[id]
		v.add = added[a.ids[id]]
		var addedFiles, last int
		for _, f := range prev[id] {
			if f.key.seq > 0 {
				addedFiles++
			}
			last = max(last, f.key.seq)
			if !slices.ContainsFunc(v.rewrite, func(r File) bool { return r.Path == f.file.Path }) {
				v.keep = append(v.keep, f.file)
			}
		}
		if v.add > 0 {
			addedFiles++
		}
		v.seq = last + 1
		v.compact = (!exact && lossy[a.ids[id]]) || addedFiles > l.spec.CompactAfter || (v.add > 0 && v.seq > maxSeq)
		a.cells[id] = v
	}
	return a, nil
}

// addedOutput writes a cell's new rows (those counted in __etl_add) as file
// number seq of the cell.
func (l layout) addedOutput(k fileKey, seq int, a analysis) (output, error) {
	k.seq = seq
	o := output{path: l.filePath(k), unit: l.spec.Path, cols: l.kept, segment: l.seg.tag(),
		source: fmt.Sprintf(`(SELECT %s FROM (SELECT *, unnest(range("__etl_add")) AS "__etl_i" FROM %s WHERE "__etl_cell" = %d))`,
			quoteList("", colNames(l.kept)), a.rows, a.ids[k.cellID()])}
	return o, o.setOrder(l.terms, colNames(l.kept))
}

// rewriteOutput writes published file f again without the rows to drop.
// Its rows keep their order: sorted by their row number in f, a cheap
// integer sort, rather than by order_by again (a join does not keep
// order by itself).
func (l layout) rewriteOutput(f File, a analysis) (output, error) {
	k, _ := l.parsePath(f.Path)
	kept := colNames(l.kept)
	abs := filepath.Join(l.spec.OutputDir, filepath.FromSlash(f.Path))
	o := output{path: f.Path, unit: l.spec.Path, cols: l.kept, segment: l.seg.tag(),
		source: fmt.Sprintf(`(SELECT q.* FROM read_parquet(%s, hive_partitioning = false, file_row_number = true) AS q ANTI JOIN (SELECT %s FROM %s WHERE "__etl_cell" = %d AND "__etl_drop") AS x ON %s)`,
			warehouse.QuoteString(abs), quoteList("", kept), a.rows, a.ids[k.cell().cellID()], sameRow("q", "x", kept))}
	if slices.ContainsFunc(kept, func(c string) bool { return strings.EqualFold(c, "file_row_number") }) {
		return o, o.setOrder(l.terms, kept)
	}
	o.order = []string{srcAlias + ".file_row_number"}
	return o, nil
}

// sameRow is the condition that rows a and b agree on every column, NULLs
// included.
func sameRow(a, b string, cols []string) string {
	conds := make([]string, len(cols))
	for i, c := range cols {
		q := warehouse.QuoteIdent(c)
		conds[i] = fmt.Sprintf("%s.%s IS NOT DISTINCT FROM %s.%s", a, q, b, q)
	}
	return strings.Join(conds, " AND ")
}

// quoteList renders the columns quoted and prefixed, comma-separated.
func quoteList(prefix string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = prefix + warehouse.QuoteIdent(c)
	}
	return strings.Join(out, ", ")
}

func nullableText(v sql.NullString) string {
	if !v.Valid {
		return "CAST(NULL AS VARCHAR)"
	}
	return warehouse.QuoteString(v.String)
}

// scratchPrefix names one write's scratch tables.
func scratchPrefix() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "export_" + hex.EncodeToString(b[:]) + "_", nil
}

// canCarry reports whether prev is a complete, intact listing of this
// layout's files in outputDir, written from the same columns: only then
// are the untouched files what a full write would produce.
func (l layout) canCarry(prev []File, outputDir string) bool {
	if len(prev) == 0 || outputDir == "" {
		return false
	}
	seen := map[string]bool{}
	for _, f := range prev {
		if f.Empty || f.Format != l.spec.Format || f.Segment != l.seg.tag() || seen[f.Path] {
			return false
		}
		seen[f.Path] = true
		if _, ok := l.parsePath(f.Path); !ok {
			return false
		}
		if !slices.Equal(f.Columns, l.kept) {
			return false
		}
		st, err := os.Stat(filepath.Join(outputDir, filepath.FromSlash(f.Path)))
		if err != nil || !st.Mode().IsRegular() || st.Size() != f.Bytes {
			return false
		}
	}
	return true
}

// checkChanges makes sure the changes relation places its rows as the
// relation does: the same cut columns with the same types. It returns the
// changes' columns.
func (l layout) checkChanges(ctx context.Context, db *sql.DB, cols []warehouse.Column) ([]warehouse.Column, error) {
	changed, err := relationColumns(ctx, db, l.spec.Changes)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	names := slices.Clone(l.spec.PartitionBy)
	if l.seg != nil {
		names = append(names, l.seg.col)
	}
	for _, name := range names {
		want, have := columnType(cols, name), columnType(changed, name)
		switch {
		case have == "":
			return nil, fmt.Errorf("changes %s lacks column %q", l.spec.Changes, name)
		case have != want:
			return nil, fmt.Errorf("changes %s: column %q has type %s, the relation has %s", l.spec.Changes, name, have, want)
		}
	}
	return changed, nil
}

func columnType(cols []warehouse.Column, name string) string {
	for _, c := range cols {
		if c.Name == name {
			return c.Type
		}
	}
	return ""
}

// carry puts the published file rel into the stage: a hard link when the
// two dirs share a filesystem, else a copy. The old name is removed when
// Publish swaps the directory; the link keeps the data.
func carry(ctx context.Context, outputDir, stageDir, rel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	src := filepath.Join(outputDir, filepath.FromSlash(rel))
	dst := filepath.Join(stageDir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("carry %s: %w", rel, err)
	}
	if err := linkFile(src, dst); err == nil {
		return nil
	}
	if err := copyFile(src, dst); err != nil {
		return fmt.Errorf("carry %s: %w", rel, err)
	}
	return nil
}

func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			err = errors.Join(err, os.Remove(dst))
		}
	}()
	_, err = io.Copy(out, in)
	return err
}
