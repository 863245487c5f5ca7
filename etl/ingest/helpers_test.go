package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"etlrunner/etl/warehouse"
)

// newDB opens an in-memory warehouse holding the runner's metadata tables,
// created from the project's own migration so the ledger schema cannot drift.
func newDB(t testing.TB) *sql.DB {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	mig, err := os.ReadFile(filepath.Join("..", "..", "sql", "migrations", "00001_etl_metadata.sql"))
	if err != nil {
		t.Fatal(err)
	}
	up := string(mig)
	up = up[strings.Index(up, "-- +goose Up"):strings.Index(up, "-- +goose Down")]
	if _, err := w.DB.ExecContext(ctx, up); err != nil {
		t.Fatal(err)
	}
	exec(t, w.DB, "CREATE SCHEMA raw")
	return w.DB
}

func exec(t testing.TB, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// query returns a small result as text, one string per row with values
// joined by "|" and NULL shown as ∅.
func query(t testing.TB, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = "∅"
			if v.Valid {
				parts[i] = v.String
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	data := []byte(content)
	if strings.HasSuffix(name, ".gz") {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		data = buf.Bytes()
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func equal(t testing.TB, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func mustLoad(t testing.TB, db *sql.DB, seed Seed, opts Options) Result {
	t.Helper()
	res, err := Load(context.Background(), db, seed, opts)
	if err != nil {
		t.Fatalf("load %s: %v", seed.Name, err)
	}
	return res
}

func actions(res Result) []string {
	var out []string
	for _, f := range res.Files {
		out = append(out, fmt.Sprintf("%s %s %d", f.Path, f.Action, f.Rows))
	}
	return out
}

const invoicesDDL = `CREATE TABLE raw.invoices (
	customer VARCHAR, account VARCHAR, month VARCHAR, invoice VARCHAR,
	_source_file VARCHAR NOT NULL, _source_line BIGINT NOT NULL, _loaded_at TIMESTAMPTZ NOT NULL)`

const chatbotDDL = `CREATE TABLE raw.chatbot (
	customer VARCHAR, flow VARCHAR, session VARCHAR, "timestamp" VARCHAR, content VARCHAR,
	_source_file VARCHAR NOT NULL, _source_line BIGINT NOT NULL, _loaded_at TIMESTAMPTZ NOT NULL)`
