package cli

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// A seed with format: sqlite reads a table of a SQLite file through the
// whole command line: the seed's YAML, the runner, the ledger.
func TestSQLiteSeed(t *testing.T) {
	dir := copyProject(t)
	landing := t.TempDir()
	src, err := sql.Open("sqlite", filepath.Join(landing, "users.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`CREATE TABLE user_spending (user_id INTEGER, money_spent REAL, year INTEGER)`,
		`INSERT INTO user_spending VALUES (90, 19983.91, 2019), (91, 5.5, 2020)`} {
		if _, err := src.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	src.Close()
	write(t, filepath.Join(dir, "sql/migrations/00900_raw_spending_db.sql"), "-- +goose Up\n"+
		"CREATE TABLE raw.spending_db (user_id VARCHAR, money_spent VARCHAR, year VARCHAR,\n"+
		"  _source_file VARCHAR NOT NULL, _source_line BIGINT NOT NULL, _loaded_at TIMESTAMPTZ NOT NULL);\n"+
		"-- +goose Down\nDROP TABLE raw.spending_db;\n")
	write(t, filepath.Join(dir, "models/sources_spending_db.yml"), "seeds:\n  - name: spending_db\n"+
		"    path: \"{{ var('seeds_dir') }}/users.db\"\n    sqlite_table: user_spending\n    table: raw.spending_db\n")
	vars := "{seeds_dir: " + landing + "}"
	etl(t, dir, "seed", "--select", "spending_db", "--vars", vars).must(t, 0).contains(t, "1 loaded, 0 unchanged files, 2 rows")
	etl(t, dir, "seed", "--select", "spending_db", "--vars", vars).must(t, 0).contains(t, "0 loaded, 1 unchanged files")
	db := runWarehouse(t, dir)
	var got string
	if err := db.QueryRow(`SELECT string_agg(user_id || ':' || money_spent || ':' || year || ':' || _source_line, ' ' ORDER BY _source_line)
		FROM raw.spending_db`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "90:19983.91:2019:1 91:5.5:2020:2" {
		t.Errorf("rows %q", got)
	}
}
