package robustness

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus.golden from the actual outcomes")

// corpusCase is one broken or hostile landing file dropped into a healthy
// project's landing folder for its next night.
type corpusCase struct {
	name string
	feed string // csv, ndjson or json: the seed whose folder gets the file
	file string // its name there
	data []byte
	// setup replaces data for what is not a plain file (a folder, a link).
	setup func(t *testing.T, path string)
	// records the file holds when it loads; -1 when it must not load.
	records int
	// check looks further at the warehouse after a load.
	check func(t *testing.T, dir string)
}

const csvHeader = "id,amount,event_at,day,note\n"

func csvRow(id string) string { return id + ",1.00,2024-03-03T00:00:00Z,2024-03-03,ok\n" }

func jsonRow(id string) string {
	return `{"id":"` + id + `","amount":"1.00","event_at":"2024-03-03T00:00:00Z","day":"2024-03-03","note":"ok"}`
}

func gz(t *testing.T, text string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func manyCSV(n int) string {
	var b strings.Builder
	b.WriteString(csvHeader)
	for i := range n {
		b.WriteString(csvRow(fmt.Sprintf("m%d", i)))
	}
	return b.String()
}

func manyJSON(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(jsonRow(fmt.Sprintf("m%d", i)) + "\n")
	}
	return b.String()
}

func corpus(t *testing.T) []corpusCase {
	bom := "\xEF\xBB\xBF"
	truncatedCSV := gz(t, manyCSV(5000))
	truncatedJSON := gz(t, manyJSON(5000))
	big := strings.Repeat("x", 10<<20)
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	return []corpusCase{
		// CSV structure.
		{name: "csv_unterminated_quote", feed: "csv", file: "case.csv", records: -1,
			data: []byte(csvHeader + csvRow("c1") + "c2,1,2024-03-03T00:00:00Z,2024-03-03,\"open\n" + csvRow("c3"))},
		{name: "csv_text_after_closing_quote", feed: "csv", file: "case.csv", records: -1,
			data: []byte(csvHeader + csvRow("c1") + "c2,1,2024-03-03T00:00:00Z,2024-03-03,\"a\"b\n")},
		{name: "csv_too_many_fields", feed: "csv", file: "case.csv", records: -1,
			data: []byte(csvHeader + csvRow("c1") + csvRow("c2") + "c3,1,2024-03-03T00:00:00Z,2024-03-03,ok,extra\n")},
		{name: "csv_too_few_fields", feed: "csv", file: "case.csv", records: -1,
			data: []byte(csvHeader + csvRow("c1") + "c2,1,2024-03-03T00:00:00Z\n")},
		{name: "csv_empty_file", feed: "csv", file: "case.csv", records: -1, data: []byte{}},
		{name: "csv_only_blank_lines", feed: "csv", file: "case.csv", records: -1, data: []byte("\n\n\n")},
		{name: "csv_header_only", feed: "csv", file: "case.csv", records: 0, data: []byte(csvHeader)},
		{name: "csv_missing_column", feed: "csv", file: "case.csv", records: -1,
			data: []byte("id,amount,event_at,day\nc1,1,2024-03-03T00:00:00Z,2024-03-03\n")},
		{name: "csv_duplicate_column", feed: "csv", file: "case.csv", records: -1,
			data: []byte("id,amount,event_at,day,note,id\nc1,1,2024-03-03T00:00:00Z,2024-03-03,ok,c1\n")},
		{name: "csv_utf8_bom", feed: "csv", file: "case.csv", records: 2, data: []byte(bom + csvHeader + csvRow("c1") + csvRow("c2"))},
		{name: "csv_crlf", feed: "csv", file: "case.csv", records: 2,
			data:  []byte(strings.ReplaceAll(csvHeader+csvRow("c1")+csvRow("c2"), "\n", "\r\n")),
			check: noCarriageReturn("raw.events_csv")},
		{name: "csv_newline_in_quotes", feed: "csv", file: "case.csv", records: 2,
			data:  []byte(csvHeader + "c1,1,2024-03-03T00:00:00Z,2024-03-03,\"two\nlines\"\n" + csvRow("c2")),
			check: lineOf("raw.events_csv", "c2", 4)},
		{name: "csv_invalid_utf8", feed: "csv", file: "case.csv", records: -1,
			data: []byte(csvHeader + csvRow("c1") + "c2,1,2024-03-03T00:00:00Z,2024-03-03,caf\xe9\n")},
		{name: "csv_latin1_without_encoding", feed: "csv", file: "case.csv", records: -1,
			data: []byte(csvHeader + "c1,1,2024-03-03T00:00:00Z,2024-03-03,S\xe3o Paulo\n")},
		{name: "csv_nul_byte", feed: "csv", file: "case.csv", records: 2,
			data: []byte(csvHeader + csvRow("c1") + "c2,1,2024-03-03T00:00:00Z,2024-03-03,a\x00b\n")},
		{name: "csv_10mb_field", feed: "csv", file: "case.csv", records: -1,
			data: []byte(csvHeader + csvRow("c1") + "c2,1,2024-03-03T00:00:00Z,2024-03-03," + big + "\n")},
		{name: "csv_gzip_truncated", feed: "csv", file: "case.csv.gz", records: -1, data: truncatedCSV[:len(truncatedCSV)/2]},
		{name: "csv_gzip_not_gzip", feed: "csv", file: "case.csv.gz", records: -1, data: []byte(csvHeader + csvRow("c1"))},
		{name: "csv_gzip_whole", feed: "csv", file: "case.csv.gz", records: 5000, data: truncatedCSV},
		// CSV values: typed in bronze, the bad ones rejected with a reason.
		{name: "csv_bad_values", feed: "csv", file: "case.csv", records: 7, data: []byte(csvHeader +
			csvRow("c1") +
			",1,2024-03-03T00:00:00Z,2024-03-03,no id\n" +
			"c3,abc,2024-03-03T00:00:00Z,2024-03-03,not a number\n" +
			"c4,1e400,2024-03-03T00:00:00Z,2024-03-03,too big\n" +
			"c5,1,2024-03-03T00:00:00,2024-03-03,no offset\n" +
			"c6,1,2024-03-03T00:00:00Z,2020-02-30,no such day\n" +
			"c7,1,2024-02-30T00:00:00Z,2024-03-03,no such time\n")},
		// NDJSON.
		{name: "ndjson_truncated_record", feed: "ndjson", file: "case.jsonl", records: -1,
			data: []byte(jsonRow("n1") + "\n" + `{"id":"n2","amount":"1"` + "\n")},
		{name: "ndjson_scalar_record", feed: "ndjson", file: "case.jsonl", records: -1, data: []byte(jsonRow("n1") + "\n42\n")},
		{name: "ndjson_array_record", feed: "ndjson", file: "case.jsonl", records: -1,
			data: []byte(jsonRow("n1") + "\n[" + jsonRow("n2") + "]\n")},
		{name: "ndjson_deep_nesting", feed: "ndjson", file: "case.jsonl", records: 2,
			data: []byte(jsonRow("n1") + "\n" + `{"id":"n2","amount":"1","event_at":"2024-03-03T00:00:00Z","day":"2024-03-03","note":` + deep + "}\n")},
		{name: "ndjson_duplicate_keys", feed: "ndjson", file: "case.jsonl", records: -1,
			data: []byte(`{"id":"first","id":"second","amount":"1","event_at":"2024-03-03T00:00:00Z","day":"2024-03-03","note":"dup"}` + "\n")},
		{name: "ndjson_number_1e400", feed: "ndjson", file: "case.jsonl", records: 1,
			data: []byte(`{"id":"n1","amount":1e400,"event_at":"2024-03-03T00:00:00Z","day":"2024-03-03","note":"huge"}` + "\n")},
		{name: "ndjson_bad_values", feed: "ndjson", file: "case.jsonl", records: 4, data: []byte(jsonRow("n1") + "\n" +
			`{"id":"n2","amount":"1","event_at":"2024-03-03T00:00:00","day":"2024-03-03","note":"no offset"}` + "\n" +
			`{"id":"n3","amount":"1","event_at":"2024-03-03T00:00:00Z","day":"2020-02-30","note":"no such day"}` + "\n" +
			`{"amount":"1","event_at":"2024-03-03T00:00:00Z","day":"2024-03-03","note":"no id"}` + "\n")},
		{name: "ndjson_invalid_utf8", feed: "ndjson", file: "case.jsonl", records: -1,
			data: []byte(jsonRow("n1") + "\n" + `{"id":"n2","note":"caf` + "\xe9" + `"}` + "\n")},
		{name: "ndjson_raw_nul_byte", feed: "ndjson", file: "case.jsonl", records: -1,
			data: []byte(jsonRow("n1") + "\n" + `{"id":"n2","note":"a` + "\x00" + `b"}` + "\n")},
		{name: "ndjson_escaped_nul", feed: "ndjson", file: "case.jsonl", records: 1,
			data: []byte(`{"id":"n1","amount":"1","event_at":"2024-03-03T00:00:00Z","day":"2024-03-03","note":"a\u0000b"}` + "\n")},
		{name: "ndjson_utf8_bom", feed: "ndjson", file: "case.jsonl", records: -1, data: []byte(bom + jsonRow("n1") + "\n")},
		{name: "ndjson_crlf_and_blank_lines", feed: "ndjson", file: "case.jsonl", records: 2,
			data:  []byte(jsonRow("n1") + "\r\n\r\n" + jsonRow("n2") + "\r\n"),
			check: noCarriageReturn("raw.events_ndjson")},
		{name: "ndjson_empty_file", feed: "ndjson", file: "case.jsonl", records: 0, data: []byte{}},
		{name: "ndjson_10mb_field", feed: "ndjson", file: "case.jsonl", records: 1,
			data: []byte(`{"id":"n1","amount":"1","event_at":"2024-03-03T00:00:00Z","day":"2024-03-03","note":"` + big + `"}` + "\n")},
		{name: "ndjson_key_missing_from_file", feed: "ndjson", file: "case.jsonl", records: -1,
			data: []byte(`{"id":"n1","event_at":"2024-03-03T00:00:00Z","day":"2024-03-03","note":"no amount"}` + "\n")},
		{name: "ndjson_gzip_truncated", feed: "ndjson", file: "case.jsonl.gz", records: -1, data: truncatedJSON[:len(truncatedJSON)/2]},
		// JSON files holding one array.
		{name: "json_top_level_scalar", feed: "json", file: "case.json", records: -1, data: []byte("42\n")},
		{name: "json_array_of_scalars", feed: "json", file: "case.json", records: -1, data: []byte("[1, 2, 3]\n")},
		{name: "json_truncated_array", feed: "json", file: "case.json", records: -1, data: []byte("[" + jsonRow("j1") + ",\n" + jsonRow("j2"))},
		{name: "json_nested_arrays", feed: "json", file: "case.json", records: -1, data: []byte("[[" + jsonRow("j1") + "]]\n")},
		// The file system.
		{name: "folder_named_like_a_file", feed: "csv", file: "case.csv", records: 0,
			setup: func(t *testing.T, p string) { mkdir(t, p) }},
		{name: "symlink_loop", feed: "csv", file: "case.csv", records: -1,
			setup: func(t *testing.T, p string) {
				if err := os.Symlink(filepath.Base(p), p); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "symlink_to_nothing", feed: "ndjson", file: "case.jsonl", records: -1,
			setup: func(t *testing.T, p string) {
				if err := os.Symlink("gone.jsonl.bak", p); err != nil {
					t.Fatal(err)
				}
			}},
	}
}

func mkdir(t *testing.T, p string) {
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestCorpus drops each case into the landing folder of a project that was
// built once, runs etl build, and holds the outcome against the case's
// golden line and against what never changes: no panic, exit 0 or 1; on
// failure, the outputs, the raw tables and the models as they were and the
// message on the file's own line; on success, every new raw row in bronze
// or its rejects; never a leftover.
func TestCorpus(t *testing.T) {
	golden := readGolden(t)
	template := builtProject(t)
	feeds := []string{"csv", "ndjson", "json"}
	var tables []string
	for _, f := range feeds {
		tables = append(tables, "raw.events_"+f, "bronze.events_"+f, "bronze.events_"+f+"_rejects")
	}
	tables = append(tables, "gold.events")
	got := map[string]string{}
	cases := corpus(t)
	if len(cases) < 30 {
		t.Fatalf("the corpus has %d cases; it needs at least 30", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, template, dir)
			before, beforeCounts := outputs(t, dir), counts(t, dir, tables...)
			path := filepath.Join(dir, "landing", c.feed, c.file)
			if c.setup != nil {
				c.setup(t, path)
			} else {
				writeFile(t, path, c.data)
			}
			r := etl(t, dir, "build")
			if strings.Contains(r.stdout+r.stderr, "goroutine ") || (r.code != 0 && r.code != 1) {
				t.Fatalf("exit %d; bad input must exit 0 or 1 without a panic\n%s", r.code, r)
			}
			if left := leftovers(t, dir); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
			after := counts(t, dir, tables...)
			var line string
			if r.code != 0 {
				line = failureLine(t, c, r)
				if diff, ok := sameFiles(before, outputs(t, dir)); !ok {
					t.Errorf("a failed run changed the outputs: %s", diff)
				}
				for rel, n := range beforeCounts {
					if after[rel] != n {
						t.Errorf("a failed run changed %s: %d rows, was %d", rel, after[rel], n)
					}
				}
			} else {
				line = loadLine(t, c, dir, beforeCounts, after)
			}
			got[c.name] = line
			if want, ok := golden[c.name]; !*update && line != want {
				if !ok {
					want = "(no golden line)"
				}
				t.Errorf("outcome\n got: %s\nwant: %s\n%s", line, want, r)
			}
		})
	}
	if *update {
		writeGolden(t, got)
	}
}

// failureLine checks a failed run's message: one line that names the file
// and a line in it, and says what is wrong.
func failureLine(t *testing.T, c corpusCase, r result) string {
	t.Helper()
	rel := filepath.ToSlash(filepath.Join("landing", c.feed, c.file))
	for _, l := range strings.Split(r.stdout+r.stderr, "\n") {
		if i := strings.Index(l, rel); i >= 0 {
			msg := strings.TrimSpace(l[i:])
			if !strings.HasPrefix(msg, rel+":") {
				t.Errorf("the message does not start with %s: followed by a line: %q", rel, msg)
			}
			return fmt.Sprintf("exit %d: %s", r.code, msg)
		}
	}
	t.Errorf("no message names %s\n%s", rel, r)
	return fmt.Sprintf("exit %d: (no message names the file)", r.code)
}

// loadLine checks a successful run's rows: the raw table gained the file's
// records, and bronze and its rejects gained them all between them.
func loadLine(t *testing.T, c corpusCase, dir string, before, after map[string]int) string {
	t.Helper()
	raw, kept, rejected := "raw.events_"+c.feed, "bronze.events_"+c.feed, "bronze.events_"+c.feed+"_rejects"
	loaded := after[raw] - before[raw]
	k, rj := after[kept]-before[kept], after[rejected]-before[rejected]
	if c.records < 0 {
		t.Errorf("the case must not load, but %d rows did", loaded)
	} else if loaded != c.records {
		t.Errorf("%d rows loaded, the file holds %d", loaded, c.records)
	}
	if k+rj != loaded {
		t.Errorf("rows lost: %d loaded, %d kept + %d rejected", loaded, k, rj)
	}
	if c.check != nil {
		c.check(t, dir)
	}
	reasons := query(t, dir, fmt.Sprintf(`SELECT _reject_reason || ': ' || count(*) FROM %s
		WHERE _source_file LIKE '%%/%s' GROUP BY _reject_reason ORDER BY 1`, rejected, c.file))
	line := fmt.Sprintf("exit 0: %d rows loaded, %d kept, %d rejected", loaded, k, rj)
	if len(reasons) > 0 {
		line += " (" + strings.Join(reasons, "; ") + ")"
	}
	return line
}

func noCarriageReturn(table string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		if rows := query(t, dir, "SELECT id FROM "+table+" WHERE note LIKE '%'||chr(13)||'%' OR id LIKE '%'||chr(13)||'%'"); len(rows) > 0 {
			t.Errorf("values keep a carriage return: %v", rows)
		}
	}
}

func lineOf(table, id string, want int) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		rows := query(t, dir, fmt.Sprintf("SELECT _source_line FROM %s WHERE id = '%s'", table, id))
		if len(rows) != 1 || rows[0] != fmt.Sprint(want) {
			t.Errorf("row %s is on line %v, want %d", id, rows, want)
		}
	}
}

var (
	builtOnce sync.Once
	builtDir  string
)

// builtProject is a project built once on the baseline files, for each
// case to copy.
func builtProject(t *testing.T) string {
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "etl-corpus-")
		if err != nil {
			t.Fatal(err)
		}
		copyTree(t, newProject(t), dir)
		mustBuild(t, dir)
		builtDir = dir
	})
	if builtDir == "" {
		t.Fatal("the baseline build failed")
	}
	return builtDir
}

const goldenPath = "testdata/corpus.golden"

func readGolden(t *testing.T) map[string]string {
	data, err := os.ReadFile(goldenPath)
	if err != nil && !*update {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if name, rest, ok := strings.Cut(l, " | "); ok && !strings.HasPrefix(l, "#") {
			out[name] = rest
		}
	}
	return out
}

func writeGolden(t *testing.T, got map[string]string) {
	names := make([]string, 0, len(got))
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# The corpus's outcomes: case | exit code: the message, or the rows a load\n")
	b.WriteString("# kept and rejected with the reasons. Written by go test -update; reviewed.\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s | %s\n", n, got[n])
	}
	writeFile(t, goldenPath, []byte(b.String()))
}
