package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const invHeader = "customer,account,month,invoice\n"

func invSeed() Seed {
	return Seed{Name: "invoices", Pattern: "landing/*.csv", Format: FormatCSV, Schema: "raw", Table: "invoices"}
}

func TestIncremental(t *testing.T) {
	db := newDB(t)
	exec(t, db, invoicesDDL)
	dir := t.TempDir()
	a := writeFile(t, dir, "landing/a.csv", invHeader+"a1,x,m,1\na2,x,m,2\n")
	writeFile(t, dir, "landing/b.csv", invHeader+"b1,x,m,1\n")
	rows := func() []string {
		return query(t, db, `SELECT _source_file, _source_line, customer FROM raw.invoices ORDER BY ALL`)
	}
	ledger := func() []string {
		return query(t, db, `SELECT path, size, row_count, run_id FROM etl_meta.file_ledger ORDER BY path`)
	}

	before := time.Now().Add(-time.Millisecond)
	res := mustLoad(t, db, invSeed(), Options{Dir: dir, RunID: "r1"})
	after := time.Now().Add(time.Millisecond)
	equal(t, "first load", actions(res), []string{"landing/a.csv loaded 2", "landing/b.csv loaded 1"})
	equal(t, "rows", rows(), []string{"landing/a.csv|2|a1", "landing/a.csv|3|a2", "landing/b.csv|2|b1"})
	equal(t, "load time", query(t, db, `SELECT count(DISTINCT r._loaded_at), bool_and(r._loaded_at = l.loaded_at),
			bool_and(r._loaded_at BETWEEN CAST(? AS TIMESTAMPTZ) AND CAST(? AS TIMESTAMPTZ))
		FROM raw.invoices r JOIN etl_meta.file_ledger l ON l.path = r._source_file`, stamp(before), stamp(after)),
		[]string{"1|true|true"})

	t.Run("unchanged file is not read", func(t *testing.T) {
		// Same size and mtime but different bytes: reading or hashing the
		// file would notice, so an untouched raw table proves neither happened.
		info, err := os.Stat(a)
		if err != nil {
			t.Fatal(err)
		}
		orig, _ := os.ReadFile(a)
		if err := os.WriteFile(a, bytes.Repeat([]byte{'"'}, len(orig)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(a, info.ModTime(), info.ModTime()); err != nil {
			t.Fatal(err)
		}
		res := mustLoad(t, db, invSeed(), Options{Dir: dir, RunID: "r2"})
		equal(t, "actions", actions(res), []string{"landing/a.csv unchanged 2", "landing/b.csv unchanged 1"})
		equal(t, "rows", rows(), []string{"landing/a.csv|2|a1", "landing/a.csv|3|a2", "landing/b.csv|2|b1"})
		os.WriteFile(a, orig, 0o644)
		os.Chtimes(a, info.ModTime(), info.ModTime())
	})

	t.Run("touched file with same content stays unchanged and records the new mtime", func(t *testing.T) {
		later := time.Now().Add(time.Hour).Truncate(time.Second)
		if err := os.Chtimes(a, later, later); err != nil {
			t.Fatal(err)
		}
		res := mustLoad(t, db, invSeed(), Options{Dir: dir, RunID: "r3"})
		equal(t, "actions", actions(res), []string{"landing/a.csv unchanged 2", "landing/b.csv unchanged 1"})
		equal(t, "ledger mtime", query(t, db, `SELECT epoch(mtime)::BIGINT, run_id FROM etl_meta.file_ledger WHERE path = 'landing/a.csv'`),
			[]string{fmt.Sprintf("%d|r1", later.Unix())})
	})

	t.Run("changed file replaces its rows", func(t *testing.T) {
		writeFile(t, dir, "landing/a.csv", invHeader+"a9,x,m,9\n")
		res := mustLoad(t, db, invSeed(), Options{Dir: dir, RunID: "r4"})
		equal(t, "actions", actions(res), []string{"landing/a.csv replaced 1", "landing/b.csv unchanged 1"})
		equal(t, "rows", rows(), []string{"landing/a.csv|2|a9", "landing/b.csv|2|b1"})
		equal(t, "ledger", ledger(), []string{"landing/a.csv|40|1|r4", "landing/b.csv|40|1|r1"})
	})

	t.Run("new file loads, removed file's rows go", func(t *testing.T) {
		os.Remove(filepath.Join(dir, "landing/b.csv"))
		writeFile(t, dir, "landing/c.csv", invHeader+"c1,x,m,1\n")
		res := mustLoad(t, db, invSeed(), Options{Dir: dir, RunID: "r5"})
		equal(t, "actions", actions(res), []string{"landing/a.csv unchanged 1", "landing/c.csv loaded 1", "landing/b.csv removed 1"})
		if res.FilesLoaded != 1 || res.FilesUnchanged != 1 || res.FilesRemoved != 1 || res.RowsLoaded != 1 {
			t.Fatalf("result %+v", res)
		}
		equal(t, "rows", rows(), []string{"landing/a.csv|2|a9", "landing/c.csv|2|c1"})
		equal(t, "ledger", ledger(), []string{"landing/a.csv|40|1|r4", "landing/c.csv|40|1|r5"})
	})

	t.Run("full refresh reloads everything", func(t *testing.T) {
		res := mustLoad(t, db, invSeed(), Options{Dir: dir, RunID: "r6", FullRefresh: true})
		equal(t, "actions", actions(res), []string{"landing/a.csv replaced 1", "landing/c.csv replaced 1"})
		equal(t, "rows", rows(), []string{"landing/a.csv|2|a9", "landing/c.csv|2|c1"})
		equal(t, "ledger", ledger(), []string{"landing/a.csv|40|1|r6", "landing/c.csv|40|1|r6"})
	})

	t.Run("pointing the seed at another folder leaves only that folder's data", func(t *testing.T) {
		writeFile(t, dir, "other/z.csv", invHeader+"z1,x,m,1\n")
		seed := invSeed()
		seed.Pattern = "other/*.csv"
		res := mustLoad(t, db, seed, Options{Dir: dir, RunID: "r7"})
		equal(t, "actions", actions(res), []string{"other/z.csv loaded 1", "landing/a.csv removed 1", "landing/c.csv removed 1"})
		equal(t, "rows", rows(), []string{"other/z.csv|2|z1"})
	})

	t.Run("no files left empties the table", func(t *testing.T) {
		seed := invSeed()
		seed.Pattern = "nowhere/*.csv"
		res := mustLoad(t, db, seed, Options{Dir: dir, RunID: "r8"})
		equal(t, "actions", actions(res), []string{"other/z.csv removed 1"})
		equal(t, "rows", rows(), nil)
		equal(t, "ledger", ledger(), nil)
	})
}

func TestFailedLoadChangesNothing(t *testing.T) {
	db := newDB(t)
	exec(t, db, invoicesDDL)
	dir := t.TempDir()
	writeFile(t, dir, "landing/a.csv", invHeader+"a1,x,m,1\n")
	writeFile(t, dir, "landing/b.csv", invHeader+"b1,x,m,1\n")
	mustLoad(t, db, invSeed(), Options{Dir: dir, RunID: "r1"})
	snapshot := func() []string {
		return append(
			query(t, db, `SELECT _source_file, _source_line, customer, _loaded_at FROM raw.invoices ORDER BY ALL`),
			query(t, db, `SELECT * FROM etl_meta.file_ledger ORDER BY path`)...)
	}
	before := snapshot()

	// A replaced file, a removed file and a new file that is broken.
	writeFile(t, dir, "landing/a.csv", invHeader+"a2,x,m,1\n")
	os.Remove(filepath.Join(dir, "landing/b.csv"))
	writeFile(t, dir, "landing/c.csv", invHeader+"c1,x,m,1\nc2,x,m\n")
	_, err := Load(context.Background(), db, invSeed(), Options{Dir: dir, RunID: "r2"})
	var inErr *InputError
	if !errors.As(err, &inErr) || err.Error() != "landing/c.csv:3: expected 4 fields, found 3" {
		t.Fatalf("error = %v", err)
	}
	equal(t, "after failed load", snapshot(), before)
}

func TestLogsOneLinePerSeed(t *testing.T) {
	db := newDB(t)
	exec(t, db, invoicesDDL)
	dir := t.TempDir()
	writeFile(t, dir, "landing/a.csv", invHeader+"a1,x,m,1\na2,x,m,1\n")
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	mustLoad(t, db, invSeed(), Options{Dir: dir, Logger: logger})
	want := "level=INFO msg=\"seed loaded\" seed=invoices files_loaded=1 files_unchanged=0 files_removed=0 rows=2\n"
	if buf.String() != want {
		t.Fatalf("log = %q", buf.String())
	}
}

// TestLinesExactAcrossManyFiles loads enough files and rows that DuckDB
// reads them on several threads, and checks every row's line against the
// line number written into the row itself.
func TestLinesExactAcrossManyFiles(t *testing.T) {
	const files, perFile = 24, 5000
	for _, format := range []Format{FormatCSV, FormatNDJSON, FormatJSON} {
		t.Run(string(format), func(t *testing.T) {
			db := newDB(t)
			exec(t, db, invoicesDDL)
			dir := t.TempDir()
			for f := 0; f < files; f++ {
				var b strings.Builder
				switch format {
				case FormatCSV:
					b.WriteString(invHeader)
					for i := 0; i < perFile; i++ {
						fmt.Fprintf(&b, "c%d,%d,f%02d,%d\n", i, i+2, f, i)
					}
				case FormatNDJSON:
					for i := 0; i < perFile; i++ {
						fmt.Fprintf(&b, "{\"customer\":\"c%d\",\"account\":%d,\"month\":\"f%02d\",\"invoice\":%d}\n", i, i+1, f, i)
					}
				case FormatJSON: // one record per line after the opening bracket
					b.WriteString("[\n")
					for i := 0; i < perFile; i++ {
						sep := ","
						if i == perFile-1 {
							sep = ""
						}
						fmt.Fprintf(&b, "{\"customer\":\"c%d\",\"account\":%d,\"month\":\"f%02d\",\"invoice\":%d}%s\n", i, i+1, f, i, sep)
					}
					b.WriteString("]\n")
				}
				writeFile(t, dir, fmt.Sprintf("in/f%02d.%s", f, format), b.String())
			}
			seed := Seed{Name: "s", Pattern: "in/*", Format: format, Schema: "raw", Table: "invoices"}
			res := mustLoad(t, db, seed, Options{Dir: dir})
			if res.RowsLoaded != files*perFile {
				t.Fatalf("rows loaded = %d", res.RowsLoaded)
			}
			equal(t, "mismatches", query(t, db, `
				SELECT count(*), count(*) FILTER (WHERE _source_line <> account::BIGINT),
				       count(*) FILTER (WHERE _source_file <> 'in/' || month || '.' || ?),
				       count(DISTINCT _source_file)
				FROM raw.invoices`, string(format)),
				[]string{fmt.Sprintf("%d|0|0|%d", files*perFile, files)})
		})
	}
}

func TestLoadRejectsBadSetup(t *testing.T) {
	tests := []struct {
		name   string
		ddl    string
		format Format
		want   string
	}{
		{"unknown format", invoicesDDL, "xml", `seed s: unknown format "xml" (want csv, json, ndjson or sqlite)`},
		{"no raw table", "", FormatCSV, "seed s: raw table raw.invoices does not exist"},
		{"lineage column missing", `CREATE TABLE raw.invoices (customer VARCHAR, _source_file VARCHAR, _loaded_at TIMESTAMPTZ)`,
			FormatCSV, "seed s: raw table raw.invoices lacks lineage column _source_line"},
		{"_extra of the wrong type", `CREATE TABLE raw.invoices (customer VARCHAR, _source_file VARCHAR,
			_source_line BIGINT, _loaded_at TIMESTAMPTZ, _extra VARCHAR)`,
			FormatCSV, "seed s: raw table raw.invoices: _extra must be MAP(VARCHAR, VARCHAR), not VARCHAR"},
		{"no data columns", `CREATE TABLE raw.invoices (_source_file VARCHAR, _source_line BIGINT, _loaded_at TIMESTAMPTZ)`,
			FormatCSV, "seed s: raw table raw.invoices has no data columns"},
	}
	t.Run("insertion order not preserved", func(t *testing.T) {
		db := newDB(t)
		exec(t, db, invoicesDDL)
		exec(t, db, "SET preserve_insertion_order = false")
		seed := Seed{Name: "s", Pattern: "a.csv", Format: FormatCSV, Schema: "raw", Table: "invoices"}
		_, err := Load(context.Background(), db, seed, Options{Dir: t.TempDir()})
		if want := "seed s: loading needs preserve_insertion_order = true"; err == nil || err.Error() != want {
			t.Fatalf("error\n got: %v\nwant: %s", err, want)
		}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := newDB(t)
			if tc.ddl != "" {
				exec(t, db, tc.ddl)
			}
			dir := t.TempDir()
			writeFile(t, dir, "a.csv", invHeader+"a,b,c,d\n")
			seed := Seed{Name: "s", Pattern: "a.csv", Format: tc.format, Schema: "raw", Table: "invoices"}
			_, err := Load(context.Background(), db, seed, Options{Dir: dir})
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error\n got: %v\nwant: %s", err, tc.want)
			}
		})
	}
}

func TestSourceFilePaths(t *testing.T) {
	// Non-ASCII names before and after the part of the path that is cut off.
	dir := filepath.Join(t.TempDir(), "prøject")
	writeFile(t, dir, "landing/a.csv", invHeader+"a,x,m,1\n")
	writeFile(t, dir, "landing/süb/b.csv", invHeader+"b,x,m,1\n")
	tests := []struct {
		name, dir, pattern string
		want               []string
	}{
		{"relative", dir, "landing/**/*.csv", []string{"landing/a.csv|2", "landing/süb/b.csv|2"}},
		{"relative outside the project", filepath.Join(dir, "project"), "../landing/*.csv", []string{"../landing/a.csv|2"}},
		{"absolute", "elsewhere", filepath.Join(dir, "landing", "süb", "*.csv"),
			[]string{filepath.Join(dir, "landing", "süb", "b.csv") + "|2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := newDB(t)
			exec(t, db, invoicesDDL)
			seed := Seed{Name: "s", Pattern: tc.pattern, Format: FormatCSV, Schema: "raw", Table: "invoices"}
			mustLoad(t, db, seed, Options{Dir: tc.dir})
			equal(t, "rows", query(t, db, `SELECT _source_file, _source_line FROM raw.invoices ORDER BY ALL`), tc.want)
			equal(t, "ledger", query(t, db, `SELECT path || '|2' FROM etl_meta.file_ledger ORDER BY ALL`), tc.want)
		})
	}
}
