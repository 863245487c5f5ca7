package cli

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// An incremental run tests the rows it added, not the whole table, once
// the table has passed in full; a run that built without testing makes the
// next one test everything again.
func TestIncrementalRunsTestNewRows(t *testing.T) {
	dir := copyProject(t)
	landing := filepath.Join(dir, "seeds/notifications")
	const test = "not_null_notification_events_message_id"
	scoped := regexp.MustCompile(`PASS test ` + test + ` \.* \[PASS, new rows in`)
	whole := regexp.MustCompile(`PASS test ` + test + ` \.* \[PASS in`)
	check := func(r result, re *regexp.Regexp, what string) {
		t.Helper()
		if !re.MatchString(r.stdout) {
			t.Fatalf("%s: no line matching %s in\n%s", what, re, r.stdout)
		}
	}
	check(etl(t, dir, "build", "--select", "+tag:notifications").must(t, 0), whole, "first build")
	// A run that finds nothing new writes no fingerprint, the marks of the
	// scoped tests included: its only trace is its line in etl_meta.runs.
	etl(t, dir, "build", "--select", "+tag:notifications").must(t, 0)
	if n := notifCount(t, dir, `SELECT count(*) FROM etl_meta.node_state
		WHERE run_id = (SELECT run_id FROM etl_meta.runs ORDER BY started_at DESC LIMIT 1)`); n != 0 {
		t.Errorf("a run with nothing new rewrote %d fingerprints", n)
	}

	write(t, filepath.Join(landing, "2020-02-04T00-03.jsonl"), notifLine("C9001", "new-1", "whatsapp", "2020-02-04T00:03:10.000+00:00"))
	minute := etl(t, dir, "build", "--select", "+tag:notifications").must(t, 0)
	check(minute, scoped, "a new minute")
	// notification_dashboard replaced the rows of the customer-days its
	// batch touched and lost none, so the bill's relationships test needs
	// only the bill's new rows.
	rel := regexp.MustCompile(`PASS test relationships_daily_billing_customer_id_notification_dashboard \.* \[PASS, new rows in`)
	check(minute, rel, "a new minute, relationships")

	// A bad new row is found among the new rows: a channel nobody expects.
	write(t, filepath.Join(landing, "2020-02-04T00-04.jsonl"), notifLine("C9001", "new-2", "fax", "2020-02-04T00:04:10.000+00:00"))
	etl(t, dir, "build", "--select", "+tag:notifications").must(t, 0).
		contains(t, "WARN test accepted_values_notification_messages_channel", "1 failing rows")

	// seed then run builds without testing; the next build cannot rely on
	// the rows that run added and checks whole tables.
	write(t, filepath.Join(landing, "2020-02-04T00-05.jsonl"), notifLine("C9001", "new-3", "whatsapp", "2020-02-04T00:05:10.000+00:00"))
	etl(t, dir, "seed").must(t, 0)
	etl(t, dir, "run", "--select", "+tag:notifications").must(t, 0).contains(t, "OK incremental model bronze.notification_events", "[INSERT 1,")
	write(t, filepath.Join(landing, "2020-02-04T00-06.jsonl"), notifLine("C9001", "new-4", "whatsapp", "2020-02-04T00:06:10.000+00:00"))
	check(etl(t, dir, "build", "--select", "+tag:notifications").must(t, 0), whole, "after a run without tests")
	// The batches lived in memory: the warehouse file holds none.
	if n := notifCount(t, dir, `SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%\_\_notification%' ESCAPE '\'
		AND schema_name <> 'etl_changes'`); n != 0 {
		t.Errorf("%d batch tables in the warehouse after the run", n)
	}
}

// A minute run adds a detail file for its new rows to the segment they
// fall in and changes no published file, unless the export's config
// changed since the files were written: then every file is written again,
// as a full refresh would.
func TestDetailExportAddsFiles(t *testing.T) {
	dir := copyProject(t)
	landing := filepath.Join(dir, "seeds/notifications")
	etl(t, dir, "build", "--select", "+tag:notifications").must(t, 0)
	before := csvOutputs(t, dir)

	write(t, filepath.Join(landing, "2020-02-04T00-03.jsonl"), notifLine("C9001", "new-1", "whatsapp", "2020-02-04T00:03:10.000+00:00"))
	etl(t, dir, "build", "--select", "+tag:notifications").must(t, 0)
	after := csvOutputs(t, dir)
	var changed, added []string
	for p, text := range after {
		switch old, ok := before[p]; {
		case !strings.HasPrefix(p, "notification_detail/"):
		case !ok:
			added = append(added, p)
		case old != text:
			changed = append(changed, p)
		}
	}
	if len(changed) != 0 || len(added) != 1 || !strings.HasPrefix(added[0], "notification_detail/csv/day=2020-02-04/part-20200204T000000") ||
		!strings.Contains(after[added[0]], ",new-1,") {
		t.Errorf("one new message: changed %q, added %q", changed, added)
	}

	yml := filepath.Join(dir, "models/gold/notifications.yml")
	write(t, yml, strings.ReplaceAll(read(t, yml), "order_by: [customer_id, event_datetime, message_id]", "order_by: [message_id]"))
	etl(t, dir, "build", "--select", "+tag:notifications").must(t, 0)
	reordered := csvOutputs(t, dir)
	etl(t, dir, "build", "--select", "+tag:notifications", "--full-refresh").must(t, 0)
	sameFiles(t, "a new order_by, then a full refresh", csvOutputs(t, dir), reordered)
}
