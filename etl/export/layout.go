package export

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"etlrunner/etl/warehouse"
)

// layout cuts a partitioned and/or segmented export into files: one per
// combination of partition values and, with a Segment, per time bucket (a
// cell). A full write gives each cell one file; an incremental run may add
// numbered files to a segmented cell (see incremental.go).
//
// One COPY per file rather than COPY ... PARTITION_BY because DuckDB's
// partitioned writer interleaves its threads' rows: measured on DuckDB
// 1.5.4, COPY (SELECT ... ORDER BY ...) TO dir (PARTITION_BY ...) writes
// different bytes on every rerun, with preserve_insertion_order and
// PER_THREAD_OUTPUT false as well; FILE_SIZE_BYTES rotation cuts files at
// different rows; only threads = 1, a global setting, made it repeatable.
// A plain COPY of an ordered query keeps the order, so its bytes repeat.
type layout struct {
	spec     Spec
	kept     []warehouse.Column // the columns each file holds
	terms    []string           // order_by without the partition columns
	seg      *segmentPlan       // nil without a Segment
	maxFiles int                // cap on (partition, segment) files
}

// fileKey names one file of a layout. Partition values are text, as they
// appear (escaped) in the directory names.
type fileKey struct {
	parts []sql.NullString
	seg   bucket
	// seq is 0 for a cell's base file (part-<start>), n > 0 for the n-th
	// file incremental runs added to the cell (part-<start>_<nnnn>).
	seq int
}

// maxSeq is the largest number an added file's name holds (four digits);
// a cell that would need more is compacted instead.
const maxSeq = 9999

// cell is the key of k's cell: the same partition values and segment,
// without the file number.
func (k fileKey) cell() fileKey { return fileKey{parts: k.parts, seg: k.seg} }

// cellID is a map key for k's cell.
func (k fileKey) cellID() string {
	var b strings.Builder
	for _, p := range k.parts {
		if p.Valid {
			b.WriteString("v" + strconv.Quote(p.String))
		} else {
			b.WriteString("n")
		}
	}
	if k.seg.null {
		b.WriteString("|null")
	} else {
		b.WriteString("|" + k.seg.name)
	}
	return b.String()
}

func newLayout(ctx context.Context, db *sql.DB, spec Spec, cols []warehouse.Column) (layout, error) {
	l := layout{spec: spec, kept: withoutColumns(cols, spec.PartitionBy), maxFiles: maxSegmentFiles}
	if len(l.kept) == 0 {
		return layout{}, fmt.Errorf("partition_by leaves no columns to write")
	}
	// Within one file a partition column is constant, so ordering by it is moot.
	for _, t := range spec.OrderBy {
		if name, _, err := parseOrderTerm(t); err != nil || !slices.Contains(spec.PartitionBy, name) {
			l.terms = append(l.terms, t)
		}
	}
	if spec.Segment != nil {
		seg, err := checkSegment(ctx, db, *spec.Segment, cols)
		if err != nil {
			return layout{}, err
		}
		l.seg = seg
	}
	return l, nil
}

// keys lists the files the rows of relation fall in, in file order.
func (l layout) keys(ctx context.Context, db *sql.DB, relation string) ([]fileKey, error) {
	if l.seg != nil {
		return l.segmentKeys(ctx, db, relation)
	}
	tuples, err := distinctTuples(ctx, db, relation, l.spec.PartitionBy)
	if err != nil {
		return nil, err
	}
	keys := make([]fileKey, len(tuples))
	for i, t := range tuples {
		keys[i] = fileKey{parts: t}
	}
	return keys, nil
}

// outputs plans the COPY of each key's file.
func (l layout) outputs(keys []fileKey) ([]output, error) {
	quoted := make([]string, len(l.spec.PartitionBy))
	for i, c := range l.spec.PartitionBy {
		quoted[i] = warehouse.QuoteIdent(c)
	}
	sel := "*"
	if len(quoted) > 0 {
		sel = "* EXCLUDE (" + strings.Join(quoted, ", ") + ")"
	}
	outs := make([]output, 0, len(keys))
	for _, k := range keys {
		var conds []string
		for i, v := range k.parts {
			ref := srcAlias + "." + quoted[i]
			if !v.Valid {
				conds = append(conds, ref+" IS NULL")
				continue
			}
			conds = append(conds, fmt.Sprintf("CAST(%s AS VARCHAR) = %s", ref, warehouse.QuoteString(v.String)))
		}
		if l.seg != nil {
			conds = append(conds, l.seg.condition(k.seg))
		}
		o := output{
			path: l.filePath(k), unit: l.spec.Path, cols: l.kept, segment: l.seg.tag(),
			source: fmt.Sprintf("(SELECT %s FROM %s AS %s WHERE %s)", sel, l.spec.Relation, srcAlias, strings.Join(conds, " AND ")),
		}
		if err := o.setOrder(l.terms, colNames(l.kept)); err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// filePath is <Path>/<c1>=<v1>/.../<name>.<ext>, the name being data_0
// without a Segment, else part-<start> or part-null, followed by _<nnnn>
// for a file an incremental run added. Names sort by cell, then base
// first ('.' sorts before '_'), then in the order the files were added.
func (l layout) filePath(k fileKey) string {
	elems := []string{l.spec.Path}
	for i, v := range k.parts {
		val := hiveNull
		if v.Valid {
			val = hiveEscape(v.String)
		}
		elems = append(elems, l.spec.PartitionBy[i]+"="+val)
	}
	name := "data_0"
	switch {
	case l.seg != nil && k.seg.null:
		name = "part-null"
	case l.seg != nil:
		name = "part-" + k.seg.name
	}
	if l.seg != nil && k.seq > 0 {
		name += fmt.Sprintf("_%04d", k.seq)
	}
	return strings.Join(append(elems, name+"."+l.spec.Format.ext()), "/")
}

var (
	segmentName = regexp.MustCompile(`^-?[0-9]+T[0-9]{6}$`)
	addedSuffix = regexp.MustCompile(`_([0-9]{4})$`)
)

// parsePath reads back the key of a file path this layout would write. It
// fills only what the path holds: partition values and the segment name.
func (l layout) parsePath(p string) (fileKey, bool) {
	if clean, err := cleanRelPath(p); err != nil || clean != p {
		return fileKey{}, false
	}
	rest, ok := strings.CutPrefix(p, l.spec.Path+"/")
	if !ok {
		return fileKey{}, false
	}
	elems := strings.Split(rest, "/")
	if len(elems) != len(l.spec.PartitionBy)+1 {
		return fileKey{}, false
	}
	var k fileKey
	for i, c := range l.spec.PartitionBy {
		val, ok := strings.CutPrefix(elems[i], c+"=")
		if !ok {
			return fileKey{}, false
		}
		if val == hiveNull {
			k.parts = append(k.parts, sql.NullString{})
			continue
		}
		v, ok := hiveUnescape(val)
		if !ok {
			return fileKey{}, false
		}
		k.parts = append(k.parts, sql.NullString{String: v, Valid: true})
	}
	stem, ok := strings.CutSuffix(elems[len(elems)-1], "."+l.spec.Format.ext())
	if !ok {
		return fileKey{}, false
	}
	if l.seg == nil {
		return k, stem == "data_0"
	}
	start, ok := strings.CutPrefix(stem, "part-")
	if m := addedSuffix.FindStringSubmatch(start); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 || n > maxSeq {
			return fileKey{}, false
		}
		k.seq, start = n, strings.TrimSuffix(start, m[0])
	}
	switch {
	case !ok:
		return fileKey{}, false
	case start == "null":
		k.seg.null = true
	case segmentName.MatchString(start):
		k.seg.name = start
	default:
		return fileKey{}, false
	}
	return k, true
}

// compareKeys orders keys as a full write lists its files: by partition
// values as text, NULL first, then by segment start, NULL first, then the
// base file before the added ones, in the order they were added.
func compareKeys(a, b fileKey) int {
	for i := range min(len(a.parts), len(b.parts)) {
		if c := compareNullable(a.parts[i].Valid, b.parts[i].Valid, a.parts[i].String, b.parts[i].String); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(len(a.parts), len(b.parts)); c != 0 {
		return c
	}
	if c := compareNullable(!a.seg.null, !b.seg.null, a.seg.name, b.seg.name); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

func compareNullable(aValid, bValid bool, a, b string) int {
	switch {
	case aValid != bValid && !aValid:
		return -1
	case aValid != bValid:
		return 1
	}
	return strings.Compare(a, b)
}

// sortFiles puts files in full-write order; paths this layout cannot read
// back (none in practice) go last, by path.
func (l layout) sortFiles(files []File) {
	type entry struct {
		key  fileKey
		ok   bool
		file File
	}
	entries := make([]entry, len(files))
	for i, f := range files {
		k, ok := l.parsePath(f.Path)
		entries[i] = entry{k, ok, f}
	}
	slices.SortStableFunc(entries, func(a, b entry) int {
		switch {
		case a.ok && b.ok:
			return compareKeys(a.key, b.key)
		case a.ok != b.ok && a.ok:
			return -1
		case a.ok != b.ok:
			return 1
		}
		return strings.Compare(a.file.Path, b.file.Path)
	})
	for i, e := range entries {
		files[i] = e.file
	}
}
