package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ran lists the nodes a run actually built (lines that are not "up to date").
func ran(r result) []string {
	var out []string
	line := regexp.MustCompile(`\d+ of \d+ (OK|PASS|FAIL|ERROR) (.+?) \.{2,}`)
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.Contains(l, "up to date") || strings.Contains(l, " seed ") {
			continue
		}
		if m := line.FindStringSubmatch(l); m != nil {
			out = append(out, strings.TrimSpace(m[2]))
		}
	}
	return out
}

func TestUpToDateNodesAreSkipped(t *testing.T) {
	dir := copyProject(t)
	sel := []string{"--select", "+tag:billing +tag:chatbot"}
	build := func(extra ...string) result {
		return etl(t, dir, append(append([]string{"build"}, sel...), extra...)...).must(t, 0)
	}
	build()
	if got := ran(build()); len(got) != 0 {
		t.Fatalf("a run with nothing new built %v", got)
	}

	// A changed model rebuilds with what depends on it, nothing else.
	path := filepath.Join(dir, "models/silver/invoice_months.sql")
	write(t, path, read(t, path)+"\n-- reviewed\n")
	got := strings.Join(ran(build()), "\n")
	for _, want := range []string{"table model silver.invoice_months", "table model gold.invoice_averages", "export invoice_averages", "test unique_invoice_averages_customer__account"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q did not run after its input changed; ran:\n%s", want, got)
		}
	}
	for _, not := range []string{"bronze.invoices", "chatbot"} {
		if strings.Contains(got, not) {
			t.Errorf("%q ran although nothing it reads changed; ran:\n%s", not, got)
		}
	}

	// A deleted output file is written again; a dropped table is rebuilt.
	if err := os.Remove(filepath.Join(dir, "output/chatbot_sessions.csv")); err != nil {
		t.Fatal(err)
	}
	if got := ran(build()); len(got) != 1 || got[0] != "export chatbot_sessions" {
		t.Errorf("after deleting an output, ran %v", got)
	}
	db := runWarehouse(t, dir)
	if _, err := db.Exec("DROP TABLE gold.chatbot_answers"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if got := strings.Join(ran(build()), "\n"); !strings.Contains(got, "table model gold.chatbot_answers") {
		t.Errorf("a dropped table was not rebuilt; ran:\n%s", got)
	}

	// `etl test` runs the tests even when nothing changed.
	if r := etl(t, dir, "test", "--select", "invoice_averages").must(t, 0); strings.Contains(r.stdout, "up to date") {
		t.Errorf("etl test reused results:\n%s", r.stdout)
	}

	// --full-refresh builds everything again.
	if got := ran(build("--full-refresh")); len(got) < 20 {
		t.Errorf("--full-refresh built only %v", got)
	}
}

func TestFailingTestIsNotRemembered(t *testing.T) {
	dir := copyProject(t)
	write(t, filepath.Join(dir, "tests/always_fails.sql"), "SELECT * FROM {{ ref('invoice_averages') }}\n")
	for i := 0; i < 2; i++ {
		etl(t, dir, "build", "--select", "+tag:billing +always_fails").must(t, 1).contains(t, "FAIL test always_fails", "FAIL 4 in")
	}
}
