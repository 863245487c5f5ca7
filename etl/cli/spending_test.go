package cli

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"etlrunner/etl/warehouse"
)

// spendingText runs a query returning one value and gives it as DuckDB's text.
func spendingText(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	var s string
	if err := db.QueryRowContext(context.Background(), "SELECT CAST(("+query+") AS VARCHAR)").Scan(&s); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return s
}

// TestSpendingSeeds builds the family on the project's own seeds: the
// generator planted every reject reason and every rule's case.
func TestSpendingSeeds(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "build", "--select", "+tag:spending+").must(t, 0).contains(t,
		"PASS test row_conservation_spending_users",
		"PASS test row_conservation_spending_records",
		"PASS test spending_bonus_voucher_threshold",
		"Completed successfully.")
	w := runWarehouse(t, dir)

	rejects := []struct{ table, reason string }{
		{"spending_users", "missing user_id"},
		{"spending_users", "user_id is not a positive integer"},
		{"spending_users", "missing age"},
		{"spending_users", "age is not a whole number from 0 to 120"},
		{"spending_users", "duplicate user_id"},
		{"spending_records", "missing user_id"},
		{"spending_records", "user_id is not a positive integer"},
		{"spending_records", "missing money_spent"},
		{"spending_records", "money_spent is not a number"},
		{"spending_records", "money_spent has more than 2 decimals"},
		{"spending_records", "money_spent is negative"},
		{"spending_records", "missing year"},
		{"spending_records", "year is not a year from 1900 to 2099"},
		{"spending_records", "unknown user_id"},
	}
	for _, c := range rejects {
		t.Run(c.table+"/"+c.reason, func(t *testing.T) {
			q := "SELECT count(*) FROM bronze." + c.table + "_rejects WHERE _reject_reason = " + warehouse.QuoteString(c.reason)
			if n := queryInt(t, w, q); n == 0 {
				t.Errorf("no row rejected as %q", c.reason)
			}
		})
	}

	rules := []struct {
		name  string
		query string
		min   int
	}{
		{"customers under 18", "SELECT count(*) FROM silver.spending_customers WHERE age_group = '<18'", 1},
		{"every age group has purchases", "SELECT count(*) FROM gold.avg_spending_by_age_group WHERE spending_records > 0", 6},
		{"customers without purchases listed with 0", "SELECT count(*) FROM gold.user_total_spending WHERE year IS NULL AND total_spent_all_years = 0", 1},
		{"customer years earning a voucher", "SELECT count(*) FROM gold.bonus_voucher_users", 1},
		{"customer years under the threshold", "SELECT count(*) FROM silver.spending_user_years WHERE total_spent < 2000", 1},
		{"several years", "SELECT count(DISTINCT year) FROM silver.spending_user_years", 2},
		{"mixed-case emails lower-cased", "SELECT count(*) FROM raw.user_info AS r JOIN silver.spending_customers AS c ON r.email = c.email COLLATE NOCASE AND r.email <> c.email", 1},
	}
	for _, c := range rules {
		t.Run(c.name, func(t *testing.T) {
			if n := queryInt(t, w, c.query); n < c.min {
				t.Errorf("%d rows, want at least %d\n%s", n, c.min, c.query)
			}
		})
	}
	t.Run("every raw row kept or rejected", func(t *testing.T) {
		for _, m := range []struct{ raw, model string }{{"user_info", "spending_users"}, {"user_spending", "spending_records"}} {
			q := "SELECT count(*) FROM raw." + m.raw + " AS r ANTI JOIN (SELECT _source_file, _source_line FROM bronze." + m.model +
				" UNION ALL SELECT _source_file, _source_line FROM bronze." + m.model + "_rejects) AS b USING (_source_file, _source_line)"
			if n := queryInt(t, w, q); n != 0 {
				t.Errorf("%d rows of raw.%s are in neither bronze.%s nor its rejects", n, m.raw, m.model)
			}
		}
	})
}

// TestSpendingReference checks the facts published with the public
// user-spending data set, in the warehouse and in the CSV outputs.
// TestSpendingReference runs the spending family on the public data set,
// once from its CSV export and once from the shop's SQLite database alone:
// both reproduce the published figures, with the same output files.
func TestSpendingReference(t *testing.T) {
	needShared(t)
	outputs := map[string]map[string]string{}
	dirs, landings := map[string]string{}, map[string]string{}
	for _, landingFiles := range [][]string{{"user_info.csv", "user_spending.csv"}, {"users_vouchers.db"}} {
		name := strings.Join(landingFiles, "+")
		dir, landing := copyProject(t), t.TempDir()
		dirs[name], landings[name] = dir, landing
		for _, f := range landingFiles {
			write(t, filepath.Join(landing, f), read(t, filepath.Join(sharedDir, "user-spending", f)))
		}
		t.Run(name, func(t *testing.T) {
			vars := "{seeds_dir: " + landing + "}"
			etl(t, dir, "build", "--select", "+tag:spending", "--vars", vars).must(t, 0)
			checkSpendingReference(t, dir)
			outputs[name] = snapshot(t, filepath.Join(dir, "output"), "_manifest.json")
			// The same landing again: not one file read.
			etl(t, dir, "build", "--select", "+tag:spending", "--vars", vars).must(t, 0).contains(t, "0 loaded, 1 unchanged files, 0 rows")
		})
	}
	csv, db := outputs["user_info.csv+user_spending.csv"], outputs["users_vouchers.db"]
	if len(csv) == 0 || len(csv) != len(db) {
		t.Fatalf("%d output files from the CSV files, %d from the database", len(csv), len(db))
	}
	for p, text := range csv {
		if db[p] != text {
			t.Errorf("%s differs between the CSV export and the SQLite database", p)
		}
	}
	// The next night the folder holds only the database: the CSV rows go,
	// the database's come, and the outputs stay the same.
	dir := dirs["user_info.csv+user_spending.csv"]
	etl(t, dir, "build", "--select", "+tag:spending", "--vars", "{seeds_dir: "+landings["users_vouchers.db"]+"}").must(t, 0).
		contains(t, "1 loaded, 0 unchanged, 1 removed files, 3000 rows", "1 loaded, 0 unchanged, 1 removed files, 12000 rows")
	for p, text := range snapshot(t, filepath.Join(dir, "output"), "_manifest.json") {
		if db[p] != text {
			t.Errorf("%s differs after the landing switched to the database", p)
		}
	}
}

func checkSpendingReference(t *testing.T, dir string) {
	w := runWarehouse(t, dir)
	defer w.Close()
	t.Run("user 90", func(t *testing.T) {
		got := spendingText(t, w, "SELECT total_spent_all_years FROM gold.user_total_spending WHERE user_id = 90 AND year = 2023")
		if got != "19983.91" {
			t.Errorf("user 90 total %s, want 19983.91", got)
		}
		csv := read(t, filepath.Join(dir, "output/user_total_spending.csv"))
		if !slices.Contains(strings.Split(csv, "\n"), "90,Daniel Washington,2023,10,19983.91,19983.91") {
			t.Errorf("user_total_spending.csv lacks user 90's row")
		}
	})
	groups := []struct{ group, avg string }{
		{"18-24", "2509.74"},
		{"25-30", "2471.58"},
		{"31-36", "2529.15"},
		{"37-47", "2495.84"},
		{">47", "2485.77"},
	}
	for _, g := range groups {
		t.Run("average per record "+g.group, func(t *testing.T) {
			got := spendingText(t, w, "SELECT avg_per_record FROM gold.avg_spending_by_age_group WHERE age_group = "+warehouse.QuoteString(g.group))
			if got != g.avg {
				t.Errorf("%s: %s, want %s", g.group, got, g.avg)
			}
		})
	}
}
