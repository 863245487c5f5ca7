package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestInputErrors(t *testing.T) {
	const chat = `"customer":"c","flow":"f","session":"s","timestamp":"t"`
	tests := []struct {
		name   string
		format Format
		files  map[string]string
		want   string
	}{
		{"CSV too many fields", FormatCSV, map[string]string{"a.csv": invHeader + "a,x,m,1\nb,x,m,1,extra\n"},
			"a.csv:3: expected 4 fields, found 5"},
		{"CSV too few fields after values spanning lines and a blank line", FormatCSV,
			map[string]string{"a.csv": invHeader + "\"a\nb\",x,m,1\n\nc,\"x\r\ny\",m,1\nd,x,m\n"},
			"a.csv:7: expected 4 fields, found 3"},
		{"CSV unterminated quote", FormatCSV, map[string]string{"a.csv": invHeader + "a,x,m,1\n\"b,x,m,1\nc,x,m,1\n"},
			"a.csv:3: unterminated quoted value"},
		{"CSV text after closing quote", FormatCSV, map[string]string{"a.csv": invHeader + "a,\"x\"y,m,1\n"},
			"a.csv:2: unterminated quoted value"},
		{"CSV invalid UTF-8", FormatCSV, map[string]string{"a.csv": invHeader + "a,x,m,1\nb,\xff\xfe,m,1\n"},
			"a.csv:3: invalid UTF-8 (a file in another encoding needs the seed option encoding: latin-1 or utf-16)"},
		{"CSV missing column", FormatCSV, map[string]string{"a.csv": "customer,account,month\na,x,m\n"},
			`a.csv:1: missing column "invoice"`},
		{"CSV missing columns", FormatCSV, map[string]string{"a.csv": "customer,month\na,m\n"},
			`a.csv:1: missing columns "account", "invoice"`},
		{"CSV duplicate column", FormatCSV, map[string]string{"a.csv": "customer,account,month,invoice, month\n"},
			`a.csv:1: duplicate column "month" in header`},
		{"CSV empty file", FormatCSV, map[string]string{"a.csv": ""},
			"a.csv:1: empty file: no CSV header"},
		{"CSV blank first line", FormatCSV, map[string]string{"a.csv": "\n" + invHeader},
			"a.csv:1: empty CSV header line"},
		{"CSV error in the second of several files", FormatCSV, map[string]string{
			"a.csv": invHeader + "a,x,m,1\n", "b.csv": invHeader + "a,x,m,1\nb,x,m,1\nc\n", "c.csv": invHeader},
			"b.csv:4: expected 4 fields, found 1"},
		{"CSV gzip that is not gzip", FormatCSV, map[string]string{"a.csv.gz.raw": "plain text"},
			"a.csv.gz:1: not valid gzip data"},
		{"NDJSON malformed line", FormatNDJSON, map[string]string{"a.ndjson": "{" + chat + "}\n{\"customer\":\"c\",\n{" + chat + "}\n"},
			"a.ndjson:2: malformed JSON: unexpected character"},
		{"NDJSON truncated last line", FormatNDJSON, map[string]string{"a.ndjson": "{" + chat + "}\n{" + chat + "}\n{\"customer\":\"c"},
			"a.ndjson:3: malformed JSON: unexpected end of data"},
		{"NDJSON record that is not an object", FormatNDJSON, map[string]string{"a.ndjson": "{" + chat + "}\n[1,2]\n"},
			"a.ndjson:2: record is not a JSON object (got ARRAY)"},
		{"NDJSON invalid UTF-8", FormatNDJSON, map[string]string{"a.ndjson": "{" + chat + "}\n{" + chat + ",\"content\":\"\xff\"}\n"},
			"a.ndjson:2: malformed JSON: invalid UTF-8 encoding in string"},
		{"JSON array truncated", FormatJSON, map[string]string{"a.json": "[\n  {" + chat + "},\n  {" + chat + "},\n  {\"customer\":\n"},
			"a.json:4: malformed JSON: unexpected end of data"},
		{"JSON array missing comma", FormatJSON, map[string]string{"a.json": "[\n  {" + chat + "}\n  {" + chat + "}\n]\n"},
			"a.json:3: malformed JSON: unexpected character"},
		{"JSON array element that is not an object", FormatJSON, map[string]string{"a.json": "[\n  {" + chat + "},\n\n  42\n]"},
			"a.json:4: record is not a JSON object (got UBIGINT)"},
		{"JSON key in no record", FormatJSON, map[string]string{"a.json": "[{" + chat + "},\n{" + chat + "}]"},
			`a.json:1: missing column "content"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := newDB(t)
			exec(t, db, invoicesDDL)
			exec(t, db, chatbotDDL)
			dir := t.TempDir()
			for name, content := range tc.files {
				p := writeFile(t, dir, "in/"+name, content)
				if filepath.Ext(p) == ".raw" {
					os.Rename(p, p[:len(p)-len(".raw")])
				}
			}
			table := "invoices"
			if tc.format != FormatCSV {
				table = "chatbot"
			}
			seed := Seed{Name: "s", Pattern: "*", Format: tc.format, Schema: "raw", Table: table}
			_, err := Load(context.Background(), db, seed, Options{Dir: filepath.Join(dir, "in")})
			var inErr *InputError
			if !errors.As(err, &inErr) {
				t.Fatalf("want an InputError, got %v", err)
			}
			if err.Error() != tc.want {
				t.Fatalf("error\n got: %s\nwant: %s", err, tc.want)
			}
			equal(t, "ledger", query(t, db, "SELECT path FROM etl_meta.file_ledger"), nil)
		})
	}
}
