package export

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"etlrunner/etl/warehouse"
)

// Segment cuts an export into one file per time bucket of a column.
type Segment struct {
	// Column is a DATE, TIMESTAMP or TIMESTAMPTZ column of the relation; it
	// stays in the files.
	Column string
	// Width is a DuckDB interval such as "1 minute", "1 hour", "1 day".
	Width string
}

// maxSegmentFiles caps the (partition, segment) files of one export. It is
// far above maxSplits because a day cut by minute alone makes 1,440 files.
const maxSegmentFiles = 200000

// segmentNameFormat renders a bucket start in file names; it has second
// precision, so widths must be whole seconds.
const segmentNameFormat = "%Y%m%dT%H%M%S"

// segmentPlan is a validated Segment.
type segmentPlan struct {
	col   string
	typ   string // the column's type, as the catalog spells it
	width string // as the user wrote it
	canon string // as DuckDB renders it, so "60 seconds" equals "1 minute"
}

// bucket is one segment of a file key.
type bucket struct {
	null   bool   // rows whose column is NULL
	name   string // the start as in the file name
	lo, hi string // the start and the end as text of the column's type
}

// checkSegment validates s against the relation's columns and lets DuckDB
// judge the width.
func checkSegment(ctx context.Context, db *sql.DB, s Segment, cols []warehouse.Column) (*segmentPlan, error) {
	var typ string
	for _, c := range cols {
		if c.Name == s.Column {
			typ = c.Type
		}
	}
	switch strings.ToUpper(typ) {
	case "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ":
	default:
		return nil, fmt.Errorf("segment column %q has type %s, not DATE, TIMESTAMP or TIMESTAMPTZ", s.Column, typ)
	}
	var canon string
	var positive, wholeSeconds, wholeDays bool
	err := db.QueryRowContext(ctx, `
		WITH w AS (SELECT CAST(? AS INTERVAL) AS w)
		SELECT CAST(w AS VARCHAR), w > INTERVAL '0 seconds',
			date_trunc('second', TIMESTAMP '2000-01-03' + w) = TIMESTAMP '2000-01-03' + w,
			date_trunc('day', TIMESTAMP '2000-01-03' + w) = TIMESTAMP '2000-01-03' + w
		FROM w`, s.Width).Scan(&canon, &positive, &wholeSeconds, &wholeDays)
	if err != nil {
		return nil, fmt.Errorf("segment width %q is not a DuckDB interval: %w", s.Width, err)
	}
	switch {
	case !positive:
		return nil, fmt.Errorf("segment width %q must be greater than zero", s.Width)
	case !wholeSeconds:
		return nil, fmt.Errorf("segment width %q must be a whole number of seconds, the precision of file names", s.Width)
	case !wholeDays && strings.EqualFold(typ, "DATE"):
		return nil, fmt.Errorf("segment width %q is finer than the days of DATE column %q", s.Width, s.Column)
	}
	// time_bucket refuses some intervals (months mixed with days); better
	// to hear it now than from the first COPY.
	var start sql.NullTime
	if err := db.QueryRowContext(ctx, `SELECT time_bucket(CAST(? AS INTERVAL), TIMESTAMP '2000-01-03')`, s.Width).Scan(&start); err != nil {
		return nil, fmt.Errorf("segment width %q cannot cut time: %w", s.Width, err)
	}
	return &segmentPlan{col: s.Column, typ: typ, width: s.Width, canon: canon}, nil
}

// tag is what File.Segment records; empty without a Segment.
func (s *segmentPlan) tag() string {
	if s == nil {
		return ""
	}
	return s.col + "/" + s.canon
}

// condition selects the rows of one bucket by comparing the raw column to
// constants of its own type, so DuckDB can skip row groups by their min/max
// instead of computing every row's bucket.
func (s *segmentPlan) condition(b bucket) string {
	ref := srcAlias + "." + warehouse.QuoteIdent(s.col)
	if b.null {
		return ref + " IS NULL"
	}
	return fmt.Sprintf("%[1]s >= CAST(%[2]s AS %[4]s) AND %[1]s < CAST(%[3]s AS %[4]s)",
		ref, warehouse.QuoteString(b.lo), warehouse.QuoteString(b.hi), s.typ)
}

// segmentKeys lists the distinct (partition values, bucket) of relation's
// rows in file order, with each bucket's name and bounds rendered by DuckDB.
func (l layout) segmentKeys(ctx context.Context, db *sql.DB, relation string) ([]fileKey, error) {
	s, n := l.seg, len(l.spec.PartitionBy)
	width := "CAST(" + warehouse.QuoteString(s.width) + " AS INTERVAL)"
	var inner, outer, order []string
	for i, c := range l.spec.PartitionBy {
		inner = append(inner, fmt.Sprintf("CAST(%s AS VARCHAR) AS k%d", warehouse.QuoteIdent(c), i))
		outer = append(outer, fmt.Sprintf("k%d", i))
		order = append(order, fmt.Sprintf("k%d NULLS FIRST", i))
	}
	inner = append(inner, fmt.Sprintf("time_bucket(%s, %s) AS b", width, warehouse.QuoteIdent(s.col)))
	outer = append(outer, "isfinite(b)", "strftime(b, "+warehouse.QuoteString(segmentNameFormat)+")", "CAST(b AS VARCHAR)",
		fmt.Sprintf("CASE WHEN isfinite(b) THEN CAST(CAST(b + %s AS %s) AS VARCHAR) END", width, s.typ))
	order = append(order, "b NULLS FIRST")
	q := fmt.Sprintf("SELECT %s FROM (SELECT DISTINCT %s FROM %s) ORDER BY %s LIMIT %d",
		strings.Join(outer, ", "), strings.Join(inner, ", "), relation, strings.Join(order, ", "), l.maxFiles+1)
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("segments of %s: %w", s.col, err)
	}
	defer rows.Close()
	var keys []fileKey
	for rows.Next() {
		k := fileKey{parts: make([]sql.NullString, n)}
		var finite sql.NullBool
		var name, lo, hi sql.NullString
		ptrs := make([]any, 0, n+4)
		for i := range k.parts {
			ptrs = append(ptrs, &k.parts[i])
		}
		if err := rows.Scan(append(ptrs, &finite, &name, &lo, &hi)...); err != nil {
			return nil, fmt.Errorf("segments of %s: %w", s.col, err)
		}
		if finite.Valid && !finite.Bool {
			return nil, fmt.Errorf("segment column %q holds %s, which no segment can hold", s.col, lo.String)
		}
		k.seg = bucket{null: !finite.Valid, name: name.String, lo: lo.String, hi: hi.String}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("segments of %s: %w", s.col, err)
	}
	if parts := countPartitions(keys); parts > maxSplits {
		return nil, fmt.Errorf("%s: more than %d distinct values, too many files", strings.Join(l.spec.PartitionBy, ", "), maxSplits)
	}
	if len(keys) > l.maxFiles {
		return nil, fmt.Errorf("segment %s every %s: more than %d files; use a wider segment", s.col, s.width, l.maxFiles)
	}
	return keys, nil
}

// countPartitions counts the distinct partition tuples of keys sorted by
// them.
func countPartitions(keys []fileKey) int {
	n := 0
	for i, k := range keys {
		if i == 0 || compareKeys(fileKey{parts: k.parts}, fileKey{parts: keys[i-1].parts}) != 0 {
			n++
		}
	}
	return n
}
