package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"etlrunner/etl/warehouse"
)

// outputs are the files BI tools read; the manifest changes with the run id
// and Parquet files carry the writer's metadata, so both are compared
// separately where it matters.
func csvOutputs(t *testing.T, dir string) map[string]string {
	t.Helper()
	all := snapshot(t, filepath.Join(dir, "output"), ".parquet", "_manifest.json")
	if len(all) == 0 {
		t.Fatal("no outputs")
	}
	return all
}

func sameFiles(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files, want %d", what, len(got), len(want))
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: %s differs\n--- got\n%s--- want\n%s", what, p, got[p], w)
		}
	}
}

func TestRerunLoadsNothingAndIsIdempotent(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "build").must(t, 0).contains(t, "1 loaded, 0 unchanged files, 21 rows", "2 loaded, 0 unchanged files, 13 rows")
	first := csvOutputs(t, dir)

	etl(t, dir, "build").must(t, 0).contains(t, "0 loaded, 1 unchanged files, 0 rows", "0 loaded, 2 unchanged files, 0 rows")
	sameFiles(t, "second run", csvOutputs(t, dir), first)

	// A new hour lands: only that file is read.
	write(t, filepath.Join(dir, "seeds/chatbot/hour=15.json"),
		`[{"customer": "C1000", "flow": "F1000", "session": "S1000", "timestamp": "2019-12-16T15:00:00+00:00", "content": {"name": "maria clara"}}]`)
	etl(t, dir, "build").must(t, 0).contains(t, "1 loaded, 2 unchanged files, 1 rows", "0 loaded, 1 unchanged files")
	report := read(t, filepath.Join(dir, "output/chatbot_report/flow=F1000.csv"))
	if !strings.Contains(report, "C1000,F1000,S1000,2019-12-16T13:59:58,2019-12-16T15:00:00,maria clara,") {
		t.Errorf("new answer not in the report:\n%s", report)
	}
	incremental := csvOutputs(t, dir)

	// --full-refresh reloads everything and gives the same outputs.
	etl(t, dir, "build", "--full-refresh").must(t, 0).contains(t, "3 loaded, 0 unchanged files, 14 rows")
	sameFiles(t, "full refresh", csvOutputs(t, dir), incremental)

	// And so does a clean run from nothing.
	if err := os.RemoveAll(filepath.Join(dir, "target")); err != nil {
		t.Fatal(err)
	}
	etl(t, dir, "build").must(t, 0)
	sameFiles(t, "clean run", csvOutputs(t, dir), incremental)
}

func TestChangedAndRemovedFiles(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "build").must(t, 0)
	// An hour file is corrected: its earlier rows are replaced, not added to.
	path := filepath.Join(dir, "seeds/chatbot/hour=14.json")
	text := strings.Replace(read(t, path), `"nota": "9"`, `"nota": "10"`, 1)
	write(t, path, text)
	etl(t, dir, "build").must(t, 0).contains(t, "1 loaded, 1 unchanged files, 6 rows")
	if got := read(t, filepath.Join(dir, "output/chatbot_report/flow=F2000.csv")); !strings.Contains(got, ",Simmmmmmm,10\n") {
		t.Errorf("corrected value not used:\n%s", got)
	}
	// The file goes away: its rows go too.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	etl(t, dir, "build").must(t, 0).contains(t, "0 loaded, 1 unchanged, 1 removed files")
	if got := read(t, filepath.Join(dir, "output/chatbot_report/flow=F2000.csv")); strings.Contains(got, "nota") {
		t.Errorf("rows of the removed file remain:\n%s", got)
	}
}

func TestLockedWarehouse(t *testing.T) {
	dir := copyProject(t)
	lock, err := warehouse.AcquireLock(filepath.Join(dir, "target/warehouse.duckdb.lock"), "etl build")
	if err != nil {
		t.Fatal(err)
	}
	r := etl(t, dir, "build").must(t, 2)
	r.contains(t, "warehouse is locked by pid", `"etl build"`, "target/warehouse.duckdb.lock")
	if _, err := os.Stat(filepath.Join(dir, "output")); err == nil {
		t.Error("a locked-out run wrote outputs")
	}
	if err := lock.Release(); err != nil {
		t.Fatal(err)
	}
	etl(t, dir, "build").must(t, 0)
}

func TestMissingSeedFile(t *testing.T) {
	dir := copyProject(t)
	if err := os.Remove(filepath.Join(dir, "seeds/invoices.csv")); err != nil {
		t.Fatal(err)
	}
	etl(t, dir, "build").must(t, 2).contains(t, "models/sources.yml:4: seed invoices: no file matches seeds/invoices.csv")
	if _, err := os.Stat(filepath.Join(dir, "target")); err == nil {
		t.Error("the warehouse was touched before the missing seed was reported")
	}
}

func TestShowAndLs(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "show", "invoice_averages").must(t, 2).contains(t, "has not been built yet")
	etl(t, dir, "build").must(t, 0)
	etl(t, dir, "show", "--limit", "2", "invoice_averages").must(t, 0).contains(t,
		"customer  account  avg_invoices_last_3_months  avg_invoices_last_6_months",
		"C1000     A1200    50666.66                    NULL")
	etl(t, dir, "show", "invoice_averages", "--limit", "2").must(t, 0).contains(t, "C1000     A1200    50666.66")
	r := etl(t, dir, "ls", "--select", "tag:billing", "--resource-type", "model", "--output", "json").must(t, 0)
	if strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, `"unique_id":"model.etl_demo.invoice_averages"`) {
		t.Errorf("ls json:\n%s", r.stdout)
	}
	etl(t, dir, "compile").must(t, 0).contains(t, "Compiled")
	compiled := read(t, filepath.Join(dir, "target/compiled/models/gold/invoice_averages.sql"))
	if !strings.Contains(compiled, `FROM "silver"."invoice_months" AS m`) || !strings.Contains(compiled, "'2020-01-01'") {
		t.Errorf("compiled SQL not rendered:\n%s", compiled)
	}
}
