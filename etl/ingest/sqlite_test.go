package ingest

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeSQLite creates a SQLite database at path from statements.
func writeSQLite(t *testing.T, path string, stmts ...string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// A SQLite table lands like a CSV file: every value as text (integers in
// decimal, reals in their shortest form, NULL as NULL), the columns mapped
// by name, the row's number as its line; an unchanged database is not read
// again, a changed one replaces its rows.
func TestLoadSQLite(t *testing.T) {
	dir := t.TempDir()
	db := newDB(t)
	exec(t, db, invoicesDDL)
	path := filepath.Join(dir, "in/billing.db")
	writeSQLite(t, path,
		`CREATE TABLE "inv ""2019""" (month TEXT, invoice REAL, customer TEXT, account INTEGER, note TEXT)`,
		`INSERT INTO "inv ""2019""" VALUES ('2019-12-01', 19983.91, 'C1', 7, 'x'), ('2020-01-01', 0.1, 'C2', 8, NULL), (NULL, 3, 'C3', 9, 'y')`)
	// A table name with a space and a quote is read as the name it is.
	seed := Seed{Name: "s", Pattern: "in/*.db", Format: FormatSQLite, Schema: "raw", Table: "invoices", SQLiteTable: `inv "2019"`}
	res := mustLoad(t, db, seed, Options{Dir: dir})
	if res.RowsLoaded != 3 || res.FilesLoaded != 1 {
		t.Fatalf("loaded %+v", res)
	}
	equal(t, "rows", query(t, db, `SELECT customer, account, month, invoice, _source_file, _source_line FROM raw.invoices ORDER BY _source_line`),
		[]string{"C1|7|2019-12-01|19983.91|in/billing.db|1", "C2|8|2020-01-01|0.1|in/billing.db|2", "C3|9|∅|3|in/billing.db|3"})

	if res := mustLoad(t, db, seed, Options{Dir: dir}); res.FilesUnchanged != 1 || res.RowsLoaded != 0 {
		t.Fatalf("an unchanged database was read again: %+v", res)
	}
	writeSQLite(t, path, `DELETE FROM "inv ""2019""" WHERE customer = 'C2'`)
	future := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, future, future); err != nil {
		t.Fatal(err)
	}
	if res := mustLoad(t, db, seed, Options{Dir: dir}); res.FilesLoaded != 1 || res.RowsLoaded != 2 {
		t.Fatalf("a changed database: %+v", res)
	}
	equal(t, "after the change", query(t, db, `SELECT customer, _source_line FROM raw.invoices ORDER BY _source_line`),
		[]string{"C1|1", "C3|2"})
}

func TestLoadSQLiteErrors(t *testing.T) {
	cases := []struct {
		name, query, want string
		setup             func(t *testing.T, path string)
	}{
		{"not a database", `SELECT * FROM "inv"`, "in/x.db:1: not a SQLite database", func(t *testing.T, p string) {
			if err := os.WriteFile(p, []byte("customer,account\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"no such table", `SELECT * FROM "nope"`, "in/x.db:1: SQLite: ", func(t *testing.T, p string) {
			writeSQLite(t, p, `CREATE TABLE inv (customer TEXT)`)
		}},
		{"a contract column missing", `SELECT * FROM "inv"`, `in/x.db:1: missing columns "account", "month", "invoice"`, func(t *testing.T, p string) {
			writeSQLite(t, p, `CREATE TABLE inv (customer TEXT)`, `INSERT INTO inv VALUES ('C1')`)
		}},
		{"a binary BLOB", `SELECT * FROM "inv"`, `in/x.db:2: column "invoice": a BLOB that is not UTF-8 text`, func(t *testing.T, p string) {
			writeSQLite(t, p, `CREATE TABLE inv (customer TEXT, account TEXT, month TEXT, invoice BLOB)`,
				`INSERT INTO inv VALUES ('C1', 'A', 'm', X'31'), ('C2', 'A', 'm', X'FF00')`)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := newDB(t)
			exec(t, db, invoicesDDL)
			path := filepath.Join(dir, "in/x.db")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, path)
			seed := Seed{Name: "s", Pattern: "in/*.db", Format: FormatSQLite, Schema: "raw", Table: "invoices", SQLiteQuery: tc.query}
			_, err := Load(context.Background(), db, seed, Options{Dir: dir})
			var inErr *InputError
			if !errors.As(err, &inErr) || len(err.Error()) < len(tc.want) || err.Error()[:len(tc.want)] != tc.want {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			equal(t, "rows after a failed load", query(t, db, "SELECT count(*) FROM raw.invoices"), []string{"0"})
		})
	}
}

// The reference database of the customer-spending system loads with the
// published figure intact: user 90 spent 19983.91 in all.
func TestLoadSQLiteReference(t *testing.T) {
	src := filepath.Join("..", "..", "..", "shared", "reference-data", "user-spending", "users_vouchers.db")
	if _, err := os.Stat(src); err != nil {
		t.Skipf("reference data absent (%v)", err)
	}
	db := newDB(t)
	exec(t, db, `CREATE TABLE raw.user_spending (user_id VARCHAR, money_spent VARCHAR, year VARCHAR,
		_source_file VARCHAR NOT NULL, _source_line BIGINT NOT NULL, _loaded_at TIMESTAMPTZ NOT NULL)`)
	abs, err := filepath.Abs(src)
	if err != nil {
		t.Fatal(err)
	}
	seed := Seed{Name: "user_spending", Pattern: abs, Format: FormatSQLite, Schema: "raw", Table: "user_spending",
		SQLiteTable: "user_spending"}
	res := mustLoad(t, db, seed, Options{Dir: t.TempDir()})
	if res.RowsLoaded != 12000 {
		t.Fatalf("%d rows, the table has 12,000", res.RowsLoaded)
	}
	equal(t, "user 90", query(t, db, `SELECT CAST(sum(CAST(money_spent AS DECIMAL(18, 2))) AS VARCHAR) FROM raw.user_spending WHERE user_id = '90'`),
		[]string{"19983.91"})
}

// Two databases of one seed must return the same columns.
func TestLoadSQLiteColumnsDiffer(t *testing.T) {
	dir := t.TempDir()
	db := newDB(t)
	exec(t, db, invoicesDDL)
	writeSQLite(t, filepath.Join(dir, "in/a.db"), `CREATE TABLE inv (customer TEXT, account TEXT, month TEXT, invoice TEXT)`)
	writeSQLite(t, filepath.Join(dir, "in/b.db"), `CREATE TABLE inv (customer TEXT, account TEXT, month TEXT, invoice TEXT, extra TEXT)`)
	seed := Seed{Name: "s", Pattern: "in/*.db", Format: FormatSQLite, Schema: "raw", Table: "invoices", SQLiteTable: "inv"}
	_, err := Load(context.Background(), db, seed, Options{Dir: dir})
	if err == nil || err.Error() != "in/b.db:1: the query returns other columns than in in/a.db" {
		t.Fatalf("error %v", err)
	}
}
