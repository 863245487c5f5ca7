package ingest

import (
	"strconv"
	"testing"
)

func TestLoadCSV(t *testing.T) {
	const rowsQ = `SELECT customer, account, month, invoice, _source_file, _source_line
		FROM raw.invoices ORDER BY _source_file, _source_line`
	tests := []struct {
		name    string
		file    string
		content string
		want    []string
	}{
		{
			name:    "LF",
			file:    "lf.csv",
			content: "customer,account,month,invoice\nacme,a1,2024-01,10.5\nbeta,b2,2024-02,7\n",
			want:    []string{"acme|a1|2024-01|10.5|lf.csv|2", "beta|b2|2024-02|7|lf.csv|3"},
		},
		{
			name:    "CRLF without final newline",
			file:    "crlf.csv",
			content: "customer,account,month,invoice\r\nacme,a1,2024-01,10.5\r\nbeta,b2,2024-02,7",
			want:    []string{"acme|a1|2024-01|10.5|crlf.csv|2", "beta|b2|2024-02|7|crlf.csv|3"},
		},
		{
			name:    "quoted header in another order, padded names, BOM, UTF-8",
			file:    "q.csv",
			content: "\uFEFF\"invoice\", \"month\" ,customer,\"account\"\n1,2024-01,Müller & Söhne,ä1\n",
			want:    []string{"Müller & Söhne|ä1|2024-01|1|q.csv|2"},
		},
		{
			name: "values spanning lines keep later line numbers exact",
			file: "multi.csv",
			content: "customer,account,month,invoice\n" +
				"\"two\nlines\",a,m,1\n" +
				"plain,b,m,2\n" +
				"c,\"three\r\nline\r\nvalue\",m,3\n" +
				"last,d,m,4\n",
			want: []string{
				"two\nlines|a|m|1|multi.csv|2",
				"plain|b|m|2|multi.csv|4",
				"c|three\r\nline\r\nvalue|m|3|multi.csv|5",
				"last|d|m|4|multi.csv|8",
			},
		},
		{
			name:    "empty field is NULL, quoted empty field is empty text",
			file:    "empty.csv",
			content: "customer,account,month,invoice\nacme,,\"\",9\n",
			want:    []string{"acme|∅||9|empty.csv|2"},
		},
		{
			name:    "gzip",
			file:    "in.csv.gz",
			content: "customer,account,month,invoice\nacme,a1,2024-01,10.5\n",
			want:    []string{"acme|a1|2024-01|10.5|in.csv.gz|2"},
		},
		{
			name:    "header only",
			file:    "h.csv",
			content: "customer,account,month,invoice\n",
			want:    nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := newDB(t)
			exec(t, db, invoicesDDL)
			dir := t.TempDir()
			writeFile(t, dir, tc.file, tc.content)
			seed := Seed{Name: "invoices", Pattern: tc.file, Format: FormatCSV, Schema: "raw", Table: "invoices"}
			res := mustLoad(t, db, seed, Options{Dir: dir, RunID: "r1"})
			equal(t, "rows", query(t, db, rowsQ), tc.want)
			if res.RowsLoaded != int64(len(tc.want)) || res.FilesLoaded != 1 {
				t.Fatalf("result %+v", res)
			}
			equal(t, "ledger", query(t, db, `SELECT seed, path, row_count, run_id FROM etl_meta.file_ledger`),
				[]string{"invoices|" + tc.file + "|" + strconv.Itoa(len(tc.want)) + "|r1"})
		})
	}
}

func TestCSVExtraColumns(t *testing.T) {
	const content = "customer,note,account,month,invoice,Customer\nacme,hi,a1,m,1,dup-case\nbeta,,b2,m,2,x\n"
	t.Run("kept in _extra", func(t *testing.T) {
		db := newDB(t)
		exec(t, db, `CREATE TABLE raw.invoices (customer VARCHAR, account VARCHAR, month VARCHAR, invoice VARCHAR,
			_source_file VARCHAR, _source_line BIGINT, _loaded_at TIMESTAMPTZ, _extra MAP(VARCHAR, VARCHAR))`)
		dir := t.TempDir()
		writeFile(t, dir, "a.csv", content)
		writeFile(t, dir, "b.csv", "customer,account,month,invoice\nc,a,m,3\n")
		mustLoad(t, db, Seed{Name: "inv", Pattern: "*.csv", Format: FormatCSV, Schema: "raw", Table: "invoices"}, Options{Dir: dir})
		equal(t, "rows", query(t, db, `SELECT customer, _extra['note'], _extra['Customer'], cardinality(_extra), _source_line
			FROM raw.invoices ORDER BY _source_file, _source_line`),
			[]string{"acme|hi|dup-case|2|2", "beta|∅|x|2|3", "c|∅|∅|0|2"})
	})
	t.Run("ignored without _extra", func(t *testing.T) {
		db := newDB(t)
		exec(t, db, invoicesDDL)
		dir := t.TempDir()
		writeFile(t, dir, "a.csv", content)
		mustLoad(t, db, Seed{Name: "inv", Pattern: "a.csv", Format: FormatCSV, Schema: "raw", Table: "invoices"}, Options{Dir: dir})
		equal(t, "rows", query(t, db, `SELECT customer, account, month, invoice FROM raw.invoices ORDER BY _source_line`),
			[]string{"acme|a1|m|1", "beta|b2|m|2"})
	})
}
