package serve

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"etlrunner/etl/warehouse"
)

// Paging of GET /api/models/{name}/rows.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// page is a rows request: filters, paging and format.
type page struct {
	filters       []filter // by column name
	limit, offset int64
	csv           bool
}

// filter asks for the rows whose column equals value.
type filter struct{ column, value string }

// parsePage reads the query string. Every parameter other than limit,
// offset and format is a filter, checked against the model's columns
// later. A query string Go cannot parse is refused rather than read in
// part, which would drop a filter and return rows nobody asked for.
func parsePage(rawQuery string) (page, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return page{}, badRequest("malformed query string: %v", err)
	}
	p := page{limit: DefaultLimit}
	for name, vals := range q {
		if len(vals) != 1 {
			return page{}, badRequest("parameter %q is given %d times; give it once", name, len(vals))
		}
		v := vals[0]
		switch name {
		case "limit":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || n > MaxLimit {
				return page{}, badRequest("limit must be an integer from 0 to %d, not %q", MaxLimit, v)
			}
			p.limit = n
		case "offset":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return page{}, badRequest("offset must be an integer of 0 or more, not %q", v)
			}
			p.offset = n
		case "format":
			if v != "json" && v != "csv" {
				return page{}, badRequest("format must be json or csv, not %q", v)
			}
			p.csv = v == "csv"
		default:
			p.filters = append(p.filters, filter{column: name, value: v})
		}
	}
	sort.Slice(p.filters, func(i, j int) bool { return p.filters[i].column < p.filters[j].column })
	return p, nil
}

// statement is a rows request as SQL. Its text holds only names and types
// from the model's own columns and paths from the manifest; the request's
// values are its args.
type statement struct {
	rows, count string
	casts       []filterCast // the filters in the order of their ?
	cols        []warehouse.Column
}

type filterCast struct{ column, typ, value string }

// scalarType matches the DuckDB types a filter value can be cast to:
// VARCHAR, BIGINT, DECIMAL(18,2), TIMESTAMP WITH TIME ZONE and the like,
// not nested types (lists, maps, structs) or enums.
var scalarType = regexp.MustCompile(`^[A-Z][A-Z0-9_]*( [A-Z][A-Z0-9_]*)*(\([0-9]+(, ?[0-9]+)?\))?$`)

// plan turns p into SQL over m's files. A filter compares the column with
// the value cast to the column's type, so "55400" finds 55400.00 and
// "2020-02-03T10:00:00" a TIMESTAMP; the order is the files' own (the
// export's order_by), file by file as the manifest lists them.
func plan(m *model, cols []warehouse.Column, hive bool, p page) (statement, error) {
	st := statement{cols: cols}
	var conds []string
	for _, f := range p.filters {
		i := slices.IndexFunc(cols, func(c warehouse.Column) bool { return c.Name == f.column })
		if i < 0 {
			return st, badRequest("model %s has no column %q (parameters other than limit, offset and format are column filters)", m.doc.Name, f.column)
		}
		c := cols[i]
		if !scalarType.MatchString(c.Type) {
			return st, badRequest("column %q is a %s, which cannot be filtered", c.Name, c.Type)
		}
		conds = append(conds, fmt.Sprintf("%s = CAST(? AS %s)", warehouse.QuoteIdent(c.Name), c.Type))
		st.casts = append(st.casts, filterCast{column: c.Name, typ: c.Type, value: f.value})
	}
	if len(m.paths) == 0 {
		return st, nil // published with no rows: nothing to read
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	src := m.source(hive)
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = cellExpr(c, p.csv)
	}
	st.rows = fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s LIMIT ? OFFSET ?", strings.Join(exprs, ", "), src, where, order(cols))
	st.count = fmt.Sprintf("SELECT count(*) FROM %s%s", src, where)
	return st, nil
}

// order is the files' order through DuckDB's virtual columns, or every
// column in turn when the model has a column of that name, which hides
// the virtual one.
func order(cols []warehouse.Column) string {
	hidden := slices.ContainsFunc(cols, func(c warehouse.Column) bool {
		return c.Name == "file_index" || c.Name == "file_row_number"
	})
	if !hidden {
		return "file_index, file_row_number"
	}
	refs := make([]string, len(cols))
	for i, c := range cols {
		refs[i] = warehouse.QuoteIdent(c.Name)
	}
	return strings.Join(refs, ", ")
}

// cellExpr renders a column as text: JSON for the JSON answer (numbers as
// numbers, DECIMAL with its scale, nested values as JSON, NaN and Infinity
// as strings since JSON has no such numbers), the output CSV's spelling
// for CSV. Timestamps are ISO 8601 in both: 2020-02-03T15:00:00, and
// 2020-02-03T15:00:00+00:00 WITH TIME ZONE.
func cellExpr(c warehouse.Column, csv bool) string {
	ref := warehouse.QuoteIdent(c.Name)
	t := strings.ToUpper(c.Type)
	iso := ""
	switch {
	case t == "TIMESTAMP WITH TIME ZONE":
		iso = fmt.Sprintf("CASE WHEN isfinite(%[1]s) THEN regexp_replace(CAST(timezone('UTC', %[1]s) AS VARCHAR), ' ', 'T') || '+00:00' ELSE CAST(%[1]s AS VARCHAR) END", ref)
	case t == "TIMESTAMP" || strings.HasPrefix(t, "TIMESTAMP_"):
		iso = fmt.Sprintf("regexp_replace(CAST(%s AS VARCHAR), ' ', 'T')", ref)
	}
	switch {
	case csv && iso != "":
		return iso
	case csv && !scalarType.MatchString(t):
		return fmt.Sprintf("CAST(to_json(%s) AS VARCHAR)", ref)
	case csv:
		return fmt.Sprintf("CAST(%s AS VARCHAR)", ref)
	case iso != "":
		return fmt.Sprintf("CAST(to_json(%s) AS VARCHAR)", iso)
	case t == "DOUBLE" || t == "FLOAT" || t == "REAL":
		return fmt.Sprintf("CASE WHEN isfinite(%[1]s) THEN CAST(to_json(%[1]s) AS VARCHAR) ELSE CAST(to_json(CAST(%[1]s AS VARCHAR)) AS VARCHAR) END", ref)
	}
	return fmt.Sprintf("CAST(to_json(%s) AS VARCHAR)", ref)
}
