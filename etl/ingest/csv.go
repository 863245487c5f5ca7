package ingest

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"etlrunner/etl/warehouse"
)

// readHeader parses the first CSV record and trims its names. DuckDB treats
// the first line as the header even when it is blank, so a blank first line
// yields an empty header here too rather than the next line's names.
func readHeader(path string, r *textFile) ([]string, error) {
	skipBOM(r.Reader)
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	rec, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &InputError{File: path, Line: 1, Msg: "empty file: no CSV header"}
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, &InputError{File: path, Line: 1, Msg: "bad CSV header: " + pe.Err.Error()}
	}
	if err != nil {
		return nil, err
	}
	if line, _ := cr.FieldPos(0); line != 1 {
		return nil, &InputError{File: path, Line: 1, Msg: "empty CSV header line"}
	}
	names := make([]string, len(rec))
	for i, n := range rec {
		names[i] = headerName(n)
	}
	return names, nil
}

// headerName trims a header field. A name quoted after a leading space
// (`a, "b"`) reaches us with its quotes, since the quote does not open the
// field; those are removed too.
func headerName(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = strings.TrimSpace(strings.ReplaceAll(s[1:len(s)-1], `""`, `"`))
	}
	return s
}

// checkHeader holds a file's header against the contract: every data column
// must be there, once.
func checkHeader(f *file, c contract) error {
	seen := make(map[string]bool, len(f.header))
	for _, n := range f.header {
		if seen[n] {
			return &InputError{File: f.path, Line: 1, Msg: fmt.Sprintf("duplicate column %q in header", n)}
		}
		seen[n] = true
	}
	var missing []string
	for _, d := range c.data {
		if !seen[d] {
			missing = append(missing, d)
		}
	}
	return missingColumns(f.path, missing)
}

// insertCSV loads the files with one read_csv per distinct header and
// path layout (normally a single read over every file). Columns are read by
// position, all as text, and mapped to the contract by the header's names.
func insertCSV(ctx context.Context, tx *sql.Tx, c contract, files []*file, now time.Time, tl *tally) error {
	groups := map[string][]*file{}
	var order []string
	for _, f := range files {
		if err := checkHeader(f, c); err != nil {
			return err
		}
		key := strings.Join(f.header, "\x00") + "\x00\x00" + sourceKey(f)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], f)
	}
	for _, key := range order {
		group := groups[key]
		if _, err := tx.ExecContext(ctx, csvInsertSQL(c, group), stamp(now)); err != nil {
			return csvReadError(err, group)
		}
		tl.loaded(group...)
	}
	return nil
}

// csvInsertSQL marks each row with -1 minus the line breaks inside its
// values (ignored columns included), which numberLines needs.
func csvInsertSQL(c contract, group []*file) string {
	header := group[0].header
	cols := make([]string, len(header))
	all := make([]string, len(header))
	for i := range header {
		cols[i] = fmt.Sprintf("%s: 'VARCHAR'", warehouse.QuoteString(csvCol(i)))
		all[i] = csvCol(i)
	}
	from := fmt.Sprintf(`(SELECT *, concat_ws('', %s) AS _ingest_all
      FROM read_csv([%s], header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
           strict_mode = true, allow_quoted_nulls = false, null_padding = false,
           filename = %s, columns = {%s}%s))`,
		strings.Join(all, ", "), fileList(group), warehouse.QuoteString(sourceCol), strings.Join(cols, ", "), encodingOption(group[0].enc))
	marker := "-1 - (strlen(_ingest_all) - strlen(replace(_ingest_all, chr(10), '')))"
	return rawInsertSQL(c, dataColumns(c, header), sourceExpr(group[0]), marker, extraExpr(c, header), from)
}

func csvCol(i int) string { return fmt.Sprintf("c%d", i) }

// dataColumns names, for each data column of the contract, the positional
// column (c0, c1, ...) that header puts it in; checkHeader made sure each
// is there.
func dataColumns(c contract, header []string) []string {
	pos := make(map[string]int, len(header))
	for i, n := range header {
		pos[n] = i
	}
	data := make([]string, len(c.data))
	for i, d := range c.data {
		data[i] = csvCol(pos[d])
	}
	return data
}

// encodingOption is read_csv's encoding argument for enc, if it needs one.
func encodingOption(enc string) string {
	if e := duckEncoding(enc); e != "" {
		return ", encoding = " + warehouse.QuoteString(e)
	}
	return ""
}

// extraExpr builds the _extra map from the columns the contract lacks; it
// is NULL when the raw table keeps no _extra.
func extraExpr(c contract, header []string) string {
	if !c.extra {
		return "NULL"
	}
	known := make(map[string]bool, len(c.data))
	for _, d := range c.data {
		known[d] = true
	}
	var pairs []string
	for i, n := range header {
		if !known[n] {
			pairs = append(pairs, fmt.Sprintf("%s: %s", warehouse.QuoteString(n), csvCol(i)))
		}
	}
	return fmt.Sprintf("CAST(MAP {%s} AS MAP(VARCHAR, VARCHAR))", strings.Join(pairs, ", "))
}
