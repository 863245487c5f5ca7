package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"etlrunner/etl/warehouse"
)

// notifScalar opens the warehouse a finished run left behind, reads one
// value and closes it again, so the next run can open the file.
func notifScalar(t *testing.T, dir string, dest any, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, warehouse.Options{Path: filepath.Join(dir, "target/warehouse.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.DB.Close()
	if err := w.DB.QueryRowContext(ctx, query, args...).Scan(dest); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func notifCount(t *testing.T, dir, query string, args ...any) int {
	t.Helper()
	var n int
	notifScalar(t, dir, &n, query, args...)
	return n
}

// notifLine is one landing event.
func notifLine(customer, id, channel, at string) string {
	return fmt.Sprintf(`{"customer_id": %q, "message_id": %q, "customer_name": "Cliente %s", "channel": %q, "payload": {"template": "aviso"}, "event_datetime": %q}`+"\n",
		customer, id, customer, channel, at)
}

// The committed seeds plant every reject reason and every rule; the build,
// with its row audit and the dashboard-against-messages test, passes.
func TestNotificationsDefaultSeeds(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "build", "--select", "+tag:notifications+").must(t, 0).
		contains(t, "row_conservation_notification_events", "notifications_dashboard_matches_messages", "Completed successfully.")
	checks := []struct {
		name, query string
		want        func(n int) bool
	}{
		{"missing message id", `SELECT count(*) FROM bronze.notification_events_rejects WHERE _reject_reason = 'missing message id'`, positive},
		{"missing customer", `SELECT count(*) FROM bronze.notification_events_rejects WHERE _reject_reason = 'missing customer'`, positive},
		{"missing channel", `SELECT count(*) FROM bronze.notification_events_rejects WHERE _reject_reason = 'missing channel'`, positive},
		{"bad datetime", `SELECT count(*) FROM bronze.notification_events_rejects WHERE _reject_reason = 'event_datetime is not ISO 8601 with an offset'`, positive},
		{"a message delivered twice in one file", `SELECT count(*) FROM (SELECT 1 FROM bronze.notification_events GROUP BY message_id, _source_file HAVING count(*) > 1)`, positive},
		{"a message delivered in two files", `SELECT count(*) FROM (SELECT 1 FROM bronze.notification_events GROUP BY message_id HAVING count(DISTINCT _source_file) > 1)`, positive},
		{"a later file brings an earlier copy", `SELECT count(*) FROM (SELECT 1 FROM bronze.notification_events GROUP BY message_id
			HAVING count(*) > 1 AND arg_min(_source_file, event_at) > min(_source_file))`, positive},
		{"each message counted once", `SELECT (SELECT count(DISTINCT message_id) FROM bronze.notification_events) - (SELECT count(*) FROM gold.notification_detail)`, zero},
		{"the earliest copy is kept", `SELECT count(*) FROM silver.notification_messages AS m
			WHERE m.event_at <> (SELECT min(d.event_at) FROM bronze.notification_events AS d WHERE d.message_id = m.message_id)`, zero},
		{"whatsapp in three spellings", `SELECT count(DISTINCT channel) FROM bronze.notification_events WHERE lower(channel) = 'whatsapp'`, func(n int) bool { return n == 3 }},
		{"per minute counts every message", `SELECT (SELECT sum(notifications) FROM gold.notifications_per_minute) - (SELECT count(*) FROM silver.notification_messages)`, zero},
		{"dashboard counts WhatsApp only", `SELECT (SELECT sum(whatsapp_notifications) FROM gold.notification_dashboard) - (SELECT count(*) FROM silver.notification_messages WHERE channel = 'whatsapp')`, zero},
		{"other channels are not billed", `SELECT (SELECT count(*) FROM silver.notification_messages) - (SELECT sum(whatsapp_notifications) FROM gold.daily_billing)`, positive},
		{"billing at 0.04", `SELECT count(*) FROM gold.daily_billing WHERE amount <> whatsapp_notifications * 0.04 OR currency <> 'BRL'`, zero},
		{"two UTC days", `SELECT count(DISTINCT day) FROM gold.notification_dashboard`, func(n int) bool { return n == 2 }},
		{"rows of the gzip file", `SELECT count(*) FROM bronze.notification_events WHERE _source_file LIKE '%.jsonl.gz'`, positive},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if n := notifCount(t, dir, c.query); !c.want(n) {
				t.Errorf("%d: unexpected\n%s", n, c.query)
			}
		})
	}
	// One folder per day, one file per minute of events in it.
	for _, day := range []string{"2020-02-03", "2020-02-04"} {
		for _, f := range []string{"csv/day=" + day + "/part-*.csv", "parquet/day=" + day + "/part-*.parquet"} {
			if got, _ := filepath.Glob(filepath.Join(dir, "output/notification_detail", f)); len(got) == 0 {
				t.Errorf("detail partition: no %s", f)
			}
		}
	}
	// One file per 30 minutes of events: the seeds' last minutes of the
	// first day make one segment.
	if got, _ := filepath.Glob(filepath.Join(dir, "output/notification_detail/csv/day=2020-02-03/part-*.csv")); len(got) != 1 ||
		filepath.Base(got[0]) != "part-20200203T233000.csv" {
		t.Errorf("day 2020-02-03 should hold one file for 23:30-24:00, got %q", got)
	}
}

func positive(n int) bool { return n > 0 }
func zero(n int) bool     { return n == 0 }

// seedEvents returns the first two WhatsApp events of a committed seed file.
func seedEvents(t *testing.T, path string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(read(t, path), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(line), &e) != nil || e["channel"] != "whatsapp" {
			continue
		}
		id, _ := e["message_id"].(string)
		customer, _ := e["customer_id"].(string)
		at, _ := e["event_datetime"].(string)
		if _, err := time.Parse(time.RFC3339Nano, at); err != nil || strings.TrimSpace(id) == "" || strings.TrimSpace(customer) == "" {
			continue
		}
		if out = append(out, e); len(out) == 2 {
			return out
		}
	}
	t.Fatalf("%s: fewer than two whatsapp events", path)
	return nil
}

func TestNotificationsIncrementalEqualsFullRefresh(t *testing.T) {
	dir := copyProject(t)
	landing := filepath.Join(dir, "seeds/notifications")
	etl(t, dir, "build", "--select", "+tag:notifications").must(t, 0)

	// A new minute: a redelivery, a copy earlier than the one delivered
	// (another minute), a new customer-day and a malformed row.
	ev := seedEvents(t, filepath.Join(landing, "2020-02-04T00-02.jsonl"))
	at, err := time.Parse(time.RFC3339Nano, ev[1]["event_datetime"].(string))
	if err != nil {
		t.Fatal(err)
	}
	earlier := at.Add(-2 * time.Minute).UTC()
	minute := notifLine(ev[0]["customer_id"].(string), ev[0]["message_id"].(string), "whatsapp", ev[0]["event_datetime"].(string)) +
		notifLine(ev[1]["customer_id"].(string), ev[1]["message_id"].(string), "WhatsApp", earlier.Format("2006-01-02T15:04:05.000-07:00")) +
		notifLine("C9001", "new-1", "WHATSAPP", "2020-02-04T00:03:10.000+00:00") +
		notifLine("C9001", "new-2", "whatsapp", "2020-02-04 00:03:11")
	write(t, filepath.Join(landing, "2020-02-04T00-03.jsonl"), minute)
	etl(t, dir, "build", "--select", "+tag:notifications").must(t, 0).
		contains(t, "[1 loaded, 6 unchanged files, 4 rows", "[INSERT 3, 3 rows, 1 rejected")
	var kept time.Time
	notifScalar(t, dir, &kept, "SELECT event_at FROM silver.notification_messages WHERE message_id = ?", ev[1]["message_id"])
	if !kept.Equal(earlier) {
		t.Errorf("kept copy at %v, want the earlier %v", kept, earlier)
	}
	if got := read(t, filepath.Join(dir, "output/notification_dashboard.csv")); !strings.Contains(got, "\nC9001,2020-02-04,1,2020-02-04T00:04:00+00:00\n") {
		t.Errorf("new customer-day missing from the dashboard:\n%s", got)
	}
	incremental := modelRows(t, dir)
	etl(t, dir, "build", "--select", "+tag:notifications", "--full-refresh").must(t, 0).contains(t, "[7 loaded, 0 unchanged files")
	sameRows(t, "full refresh after one new minute", modelRows(t, dir), incremental)

	// A run that stops at silver leaves the gold models behind; the next
	// run finds that they missed a batch and rebuilds them.
	write(t, filepath.Join(landing, "2020-02-04T00-04.jsonl"), notifLine("C9002", "new-3", "whatsapp", "2020-02-04T00:04:30.000+00:00"))
	etl(t, dir, "build", "--select", "+notification_messages").must(t, 0)
	write(t, filepath.Join(landing, "2020-02-04T00-05.jsonl"), notifLine("C9002", "new-4", "whatsapp", "2020-02-04T00:05:30.000+00:00"))
	etl(t, dir, "build", "--select", "+tag:notifications").must(t, 0).
		contains(t, "(rebuilt: incremental model silver.notification_messages changed since notifications_per_minute last read it)")
	if got := read(t, filepath.Join(dir, "output/daily_billing.csv")); !strings.Contains(got, "\nC9002,2020-02-04,2,0.0400,0.08,BRL\n") {
		t.Errorf("the gold models did not catch up:\n%s", got)
	}
	caughtUp := modelRows(t, dir)
	etl(t, dir, "build", "--select", "+tag:notifications", "--full-refresh").must(t, 0)
	sameRows(t, "full refresh after a run that stopped at silver", modelRows(t, dir), caughtUp)
}

// A first run that builds some gold models but not the others: the next
// run builds the others in full, batches the rest, and equals a full
// refresh.
func TestNotificationsGoldModelsBuiltApart(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "build", "--select", "+notification_dashboard").must(t, 0)
	write(t, filepath.Join(dir, "seeds/notifications/2020-02-04T00-03.jsonl"), notifLine("C9001", "new-1", "whatsapp", "2020-02-04T00:03:10.000+00:00"))
	etl(t, dir, "build", "--select", "+tag:notifications").must(t, 0).
		contains(t, "incremental model gold.notification_dashboard ...... [INSERT 1", "incremental model gold.daily_billing ............... [CREATE TABLE")
	incremental := modelRows(t, dir)
	etl(t, dir, "build", "--select", "+tag:notifications", "--full-refresh").must(t, 0)
	sameRows(t, "full refresh", modelRows(t, dir), incremental)
}

func gzipText(t *testing.T, text string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestNotificationsGzipMinuteFile(t *testing.T) {
	dir := copyProject(t)
	landing := t.TempDir()
	write(t, filepath.Join(landing, "notifications/2020-02-03T14-00.jsonl"),
		notifLine("C1", "a", "whatsapp", "2020-02-03T14:00:01.001+00:00"))
	write(t, filepath.Join(landing, "notifications/2020-02-03T14-01.jsonl.gz"), gzipText(t,
		notifLine("C1", "a", "whatsapp", "2020-02-03T14:00:01.001+00:00")+
			notifLine("C1", "b", "WhatsApp", "2020-02-03T14:01:02.000+00:00")+
			notifLine("C2", "c", "sms", "2020-02-03T14:01:03.000+00:00")))
	etl(t, dir, "build", "--select", "+tag:notifications", "--vars", "{seeds_dir: "+landing+"}").must(t, 0).
		contains(t, "[2 loaded, 0 unchanged files, 4 rows")
	if n := notifCount(t, dir, "SELECT count(*) FROM bronze.notification_events WHERE _source_file LIKE '%.jsonl.gz'"); n != 3 {
		t.Errorf("%d rows from the gzip file, want 3", n)
	}
	want := "customer_id,day,whatsapp_notifications,unit_price,amount,currency\nC1,2020-02-03,2,0.0400,0.08,BRL\n"
	if got := read(t, filepath.Join(dir, "output/daily_billing.csv")); got != want {
		t.Errorf("daily_billing.csv:\n%s\nwant:\n%s", got, want)
	}
}

// 25,000 WhatsApp notifications of a customer-day bill R$ 1000.00 at the
// default price; the price is a variable.
func TestNotificationsBillingPrice(t *testing.T) {
	landing := t.TempDir()
	var b strings.Builder
	for i := range 25000 {
		b.WriteString(notifLine("C1", fmt.Sprintf("m%05d", i), "whatsapp", fmt.Sprintf("2020-02-03T14:%02d:%02d.000+00:00", i%60, i/60%60)))
	}
	b.WriteString(notifLine("C1", "m00000", "whatsapp", "2020-02-03T14:00:00.000+00:00"))
	b.WriteString(notifLine("C1", "sms-1", "sms", "2020-02-03T14:00:00.000+00:00"))
	write(t, filepath.Join(landing, "notifications/2020-02-03T14-59.jsonl"), b.String())
	tests := []struct {
		name, vars, want string
	}{
		{"default price", "{seeds_dir: " + landing + "}", "C1,2020-02-03,25000,0.0400,1000.00,BRL\n"},
		{"price variable", "{seeds_dir: " + landing + ", notification_unit_price: 0.045}", "C1,2020-02-03,25000,0.0450,1125.00,BRL\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyProject(t)
			etl(t, dir, "build", "--select", "+daily_billing", "--vars", tt.vars).must(t, 0)
			if got := read(t, filepath.Join(dir, "output/daily_billing.csv")); !strings.HasSuffix(got, "\n"+tt.want) {
				t.Errorf("daily_billing.csv:\n%s\nwant a line %s", got, tt.want)
			}
		})
	}
}
