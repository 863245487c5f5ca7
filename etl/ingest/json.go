package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"etlrunner/etl/warehouse"
)

// startsArray reports whether the first meaningful byte is '['. Detecting
// this ourselves, rather than with format='auto', keeps each file in a strict
// reader: an array file never falls back to "a stream of values".
func startsArray(r *textFile) (bool, error) {
	skipBOM(r.Reader)
	for {
		b, err := r.ReadByte()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b == '[', nil
	}
}

// insertJSON loads the files with one read_json over all array files and
// one over all newline-delimited files (per path layout), every contract
// column as text: DuckDB renders nested values as their JSON text.
func insertJSON(ctx context.Context, tx *sql.Tx, c contract, files []*file, now time.Time, tl *tally) error {
	groups := map[string][]*file{}
	var order []string
	for _, f := range files {
		key := strconv.FormatBool(f.array) + "\x00" + sourceKey(f)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], f)
	}
	for _, key := range order {
		group := groups[key]
		if _, err := tx.ExecContext(ctx, jsonInsertSQL(c, group), stamp(now)); err != nil {
			return jsonReadError(err, group, group[0].array)
		}
		tl.loaded(group...)
	}
	return nil
}

func jsonFormat(array bool) string {
	if array {
		return "'array'"
	}
	return "'newline_delimited'"
}

func jsonInsertSQL(c contract, group []*file) string {
	data := make([]string, len(c.data))
	cols := make([]string, len(c.data))
	for i, d := range c.data {
		data[i] = warehouse.QuoteIdent(d)
		cols[i] = fmt.Sprintf("%s: 'VARCHAR'", warehouse.QuoteString(d))
	}
	from := fmt.Sprintf(`read_json([%s], format = %s, records = true, auto_detect = false,
     filename = %s, columns = {%s})`,
		fileList(group), jsonFormat(group[0].array), warehouse.QuoteString(sourceCol), strings.Join(cols, ", "))
	return rawInsertSQL(c, data, sourceExpr(group[0]), "-1", "NULL", from)
}

// checkJSONKeys runs only for a file in which some contract column came out
// all NULL: that is either JSON null everywhere (fine) or a key the file
// never has (a missing column), and only the file's keys can tell.
func checkJSONKeys(ctx context.Context, tx *sql.Tx, c contract, f *file, empty []int) error {
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(
		`SELECT DISTINCT unnest(json_keys(json)) FROM read_json_objects(%s, format = %s)`,
		warehouse.QuoteString(f.abs), jsonFormat(f.array)))
	if err != nil {
		return fmt.Errorf("%s: read keys: %w", f.path, err)
	}
	defer rows.Close()
	keys := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return fmt.Errorf("%s: read keys: %w", f.path, err)
		}
		keys[k] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: read keys: %w", f.path, err)
	}
	var missing []string
	for _, i := range empty {
		if !keys[c.data[i]] {
			missing = append(missing, c.data[i])
		}
	}
	return missingColumns(f.path, missing)
}
