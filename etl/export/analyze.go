package export

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"etlrunner/etl/warehouse"
)

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
