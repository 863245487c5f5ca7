package ingest

import (
	"testing"
)

func TestLoadJSON(t *testing.T) {
	const rowsQ = `SELECT customer, flow, session, "timestamp", content, _source_file, _source_line
		FROM raw.chatbot ORDER BY _source_file, _source_line`
	tests := []struct {
		name   string
		format Format
		files  map[string]string
		want   []string
	}{
		{
			name:   "pretty-printed array numbers records",
			format: FormatJSON,
			files: map[string]string{"a.json": `[
  {
    "customer": "acme",
    "flow": "signup",
    "session": 9,
    "timestamp": "2024-01-01T10:00:00Z",
    "content": {"name": "maria"}
  },
  {
    "customer": null,
    "flow": "signup",
    "session": 10,
    "timestamp": "2024-01-01T10:05:00Z",
    "content": [1, "two", {"x": true}]
  },
  {"customer": "Zoë", "flow": "faq", "session": "s-3", "timestamp": "t"}
]
`},
			want: []string{
				`acme|signup|9|2024-01-01T10:00:00Z|{"name":"maria"}|a.json|1`,
				`∅|signup|10|2024-01-01T10:05:00Z|[1,"two",{"x":true}]|a.json|2`,
				`Zoë|faq|s-3|t|∅|a.json|3`,
			},
		},
		{
			name:   "ndjson numbers lines, CRLF, no final newline",
			format: FormatNDJSON,
			files: map[string]string{"e.ndjson": "{\"customer\":\"acme\",\"flow\":\"f\",\"session\":\"s1\",\"timestamp\":\"t1\",\"content\":{\"name\":\"maria\"}}\r\n" +
				"{\"customer\":\"beta\",\"flow\":\"f\",\"session\":true,\"timestamp\":\"t2\",\"content\":\"plain\"}\r\n" +
				"{\"customer\":\"gamma\",\"flow\":\"f\",\"session\":\"s3\",\"timestamp\":\"t3\",\"content\":null}"},
			want: []string{
				`acme|f|s1|t1|{"name":"maria"}|e.ndjson|1`,
				`beta|f|true|t2|plain|e.ndjson|2`,
				`gamma|f|s3|t3|∅|e.ndjson|3`,
			},
		},
		{
			name:   "json format detects array and lines per file, gzip",
			format: FormatJSON,
			files: map[string]string{
				"a.json":    "[{\"customer\":\"c1\",\"flow\":\"f\",\"session\":\"1\",\"timestamp\":\"t\",\"content\":{}}]",
				"b.json.gz": "{\"customer\":\"c2\",\"flow\":\"f\",\"session\":\"1\",\"timestamp\":\"t\",\"content\":{}}\n{\"customer\":\"c3\",\"flow\":\"f\",\"session\":\"2\",\"timestamp\":\"t\",\"content\":{}}\n",
			},
			want: []string{
				`c1|f|1|t|{}|a.json|1`,
				`c2|f|1|t|{}|b.json.gz|1`,
				`c3|f|2|t|{}|b.json.gz|2`,
			},
		},
		{
			name:   "empty files load no rows",
			format: FormatJSON,
			files:  map[string]string{"a.json": "[]", "b.json": ""},
			want:   nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := newDB(t)
			exec(t, db, chatbotDDL)
			dir := t.TempDir()
			for name, content := range tc.files {
				writeFile(t, dir, name, content)
			}
			seed := Seed{Name: "chatbot", Pattern: "*", Format: tc.format, Schema: "raw", Table: "chatbot"}
			res := mustLoad(t, db, seed, Options{Dir: dir})
			equal(t, "rows", query(t, db, rowsQ), tc.want)
			if res.RowsLoaded != int64(len(tc.want)) || res.FilesLoaded != len(tc.files) {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

func TestJSONKeyMissingFromSomeRecords(t *testing.T) {
	db := newDB(t)
	exec(t, db, chatbotDDL)
	dir := t.TempDir()
	// content is null in one record and absent in the other: present in the
	// file, so the file loads.
	writeFile(t, dir, "a.ndjson", `{"customer":"a","flow":"f","session":"1","timestamp":"t","content":null}
{"customer":"b","flow":"f","session":"2","timestamp":"t"}
`)
	mustLoad(t, db, Seed{Name: "c", Pattern: "a.ndjson", Format: FormatNDJSON, Schema: "raw", Table: "chatbot"}, Options{Dir: dir})
	equal(t, "rows", query(t, db, `SELECT customer, content FROM raw.chatbot ORDER BY _source_line`),
		[]string{"a|∅", "b|∅"})
}
