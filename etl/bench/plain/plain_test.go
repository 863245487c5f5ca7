package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"etlrunner/etl/generate"
)

func TestSeeds(t *testing.T) {
	checkRun(t, filepath.Join("..", "..", "..", "seeds"))
}

func TestGenerated(t *testing.T) {
	landing := t.TempDir()
	err := generate.Run(context.Background(), "notifications", generate.Options{Rows: 200_000, Seed: 7, Out: landing})
	if err != nil {
		t.Fatal(err)
	}
	checkRun(t, landing)
}

// TestRules plants each rule's cases in small files.
func TestRules(t *testing.T) {
	landing := t.TempDir()
	ev := func(id, customer, name, channel, at string) string {
		return fmt.Sprintf(`{"customer_id":%s,"message_id":%s,"customer_name":%s,"channel":%s,"payload":{"k":[1,"x"]},"event_datetime":%s}`,
			customer, id, name, channel, at)
	}
	landingFile(t, landing, "b.jsonl",
		ev(`"tie"`, `"C1"`, `"b line 1"`, `"sms"`, `"2020-02-03T10:00:00Z"`),
		ev(`"later"`, `"C1"`, `"b, earlier copy"`, `"WhatsApp"`, `"2020-02-03 09:59:59.5+00"`),
		"",
		ev(`"  "`, `"C1"`, `"x"`, `"sms"`, `"2020-02-03T10:00:00Z"`),
		ev(`"no-customer"`, `null`, `"x"`, `"sms"`, `"2020-02-03T10:00:00Z"`),
		ev(`"no-channel"`, `"C1"`, `"x"`, `""`, `"2020-02-03T10:00:00Z"`),
		ev(`"no-offset"`, `"C1"`, `"x"`, `"sms"`, `"2020-02-03 10:00:00"`),
		ev(`"feb-30"`, `"C1"`, `"x"`, `"sms"`, `"2020-02-30T10:00:00Z"`),
		ev(`"7-digits"`, `"C1"`, `"x"`, `"sms"`, `"2020-02-03T10:00:00.1234567Z"`),
		ev(`"slashes"`, `"C1"`, `"x"`, `"sms"`, `"03/02/2020 10:00"`))
	landingFile(t, landing, "a.jsonl.gz",
		ev(`"lines"`, `" C2 "`, `"first line"`, `"WHATSAPP"`, `"2020-02-03T23:59:30-03:00"`),
		ev(`"tie"`, `"C1"`, `"a.gz line 2"`, `"sms"`, `"2020-02-03T07:00:00-03:00"`),
		ev(`"lines"`, `"C2"`, `"second line"`, `"whatsapp"`, `"2020-02-04T02:59:30+0000"`))
	landingFile(t, landing, "a.jsonl",
		ev(`"later"`, `"C1"`, `"a, later copy"`, `"whatsapp"`, `"2020-02-03T13:00:00+03"`),
		ev(`"blank-name"`, `"C3"`, `" "`, `"email"`, `" 2020-02-03T10:00:00.000001Z "`))
	msgs := checkRun(t, landing)
	want := map[string]string{"tie": "a.gz line 2", "later": "b, earlier copy", "lines": "first line", "blank-name": "NULL"}
	if len(msgs) != len(want) {
		t.Errorf("messages %d, want %d", len(msgs), len(want))
	}
	for id, name := range want {
		if got := str(msgs[id].name); got != name {
			t.Errorf("message %q kept %q, want %q", id, got, name)
		}
	}
	if at := msgs["lines"].at; !at.Equal(time.Date(2020, 2, 4, 2, 59, 30, 0, time.UTC)) {
		t.Errorf("message lines at %s, want 2020-02-04T02:59:30Z", at)
	}
}

// checkRun runs the program on a landing folder and compares every output
// with the expectations computed in Go; it returns the expected messages.
func checkRun(t *testing.T, landing string) map[string]message {
	t.Helper()
	msgs := expectMessages(t, landing)
	want := expectOutputs(msgs)
	out := t.TempDir()
	s, err := Run(context.Background(), Options{Landing: landing, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d files, %d valid events, %d messages in %.2fs", landing, s.Files, s.Events, s.Messages, s.Wall.Seconds())
	if s.Messages != int64(len(msgs)) {
		t.Errorf("summary: %d messages, want %d", s.Messages, len(msgs))
	}
	db := outputs(t)
	detail := filepath.Join(out, "notification_detail", "%s", "*", "*.%s")
	checkSchema(t, db, fmt.Sprintf(detail, "parquet", "parquet"),
		"day DATE, customer_id VARCHAR, customer_name VARCHAR, message_id VARCHAR, channel VARCHAR, payload VARCHAR, event_datetime TIMESTAMP")
	checkSchema(t, db, filepath.Join(out, "notifications_per_minute.parquet"),
		"customer_id VARCHAR, day DATE, minute TIMESTAMP, notifications BIGINT, whatsapp_notifications BIGINT")
	checkSchema(t, db, filepath.Join(out, "notification_dashboard.parquet"),
		"customer_id VARCHAR, day DATE, whatsapp_notifications BIGINT, last_update TIMESTAMP WITH TIME ZONE")
	checkSchema(t, db, filepath.Join(out, "daily_billing.parquet"),
		"customer_id VARCHAR, day DATE, whatsapp_notifications BIGINT, unit_price DECIMAL(18,4), amount DECIMAL(18,2), currency VARCHAR")
	for _, format := range []string{"parquet", "csv"} {
		from := func(path string) string {
			if format == "csv" {
				return "read_csv('" + path + "', all_varchar = true, hive_partitioning = true)"
			}
			return "read_parquet('" + path + "', hive_partitioning = true)"
		}
		compare(t, format+" notification_detail", want.detail, lines(t, db, `SELECT day::VARCHAR, customer_id,
			coalesce(customer_name, 'NULL'), message_id, channel, coalesce(payload, 'NULL'),
			strftime(event_datetime::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%f') FROM `+from(fmt.Sprintf(detail, format, format))))
		file := func(name string) string { return from(filepath.Join(out, name+"."+format)) }
		compare(t, format+" notifications_per_minute", want.perMinute, lines(t, db, `SELECT customer_id, day::VARCHAR,
			strftime(minute::TIMESTAMP, '%Y-%m-%dT%H:%M:%S'), notifications::BIGINT, whatsapp_notifications::BIGINT
			FROM `+file("notifications_per_minute")))
		compare(t, format+" notification_dashboard", want.dashboard, lines(t, db, `SELECT customer_id, day::VARCHAR,
			whatsapp_notifications::BIGINT, strftime(last_update::TIMESTAMPTZ, '%Y-%m-%dT%H:%M:%SZ')
			FROM `+file("notification_dashboard")))
		compare(t, format+" daily_billing", want.billing, lines(t, db, `SELECT customer_id, day::VARCHAR,
			whatsapp_notifications::BIGINT, unit_price::DECIMAL(18,4)::VARCHAR, amount::DECIMAL(18,2)::VARCHAR, currency
			FROM `+file("daily_billing")))
	}
	// Consistency of the outputs with each other, whatever the rules.
	var perMinute, whatsapp, billed int64
	var amount string
	err = db.QueryRow(fmt.Sprintf(`SELECT
		(SELECT sum(notifications) FROM '%s'), (SELECT sum(whatsapp_notifications) FROM '%s'),
		(SELECT sum(whatsapp_notifications) FROM '%s'), (SELECT coalesce(sum(amount), 0)::VARCHAR FROM '%s')`,
		filepath.Join(out, "notifications_per_minute.parquet"), filepath.Join(out, "notification_dashboard.parquet"),
		filepath.Join(out, "daily_billing.parquet"), filepath.Join(out, "daily_billing.parquet"))).
		Scan(&perMinute, &whatsapp, &billed, &amount)
	if err != nil {
		t.Fatal(err)
	}
	if perMinute != int64(len(msgs)) || whatsapp != int64(want.whatsapp) || billed != whatsapp {
		t.Errorf("per-minute sum %d (want %d messages), dashboard %d and billing %d whatsapp (want %d)",
			perMinute, len(msgs), whatsapp, billed, want.whatsapp)
	}
	if cents := whatsapp * 4; amount != fmt.Sprintf("%d.%02d", cents/100, cents%100) {
		t.Errorf("billed %s for %d whatsapp messages at 0.04", amount, whatsapp)
	}
	return msgs
}

// outputs is an in-memory DuckDB to read the outputs with.
func outputs(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	return db
}

func checkSchema(t *testing.T, db *sql.DB, path, want string) {
	t.Helper()
	rows, err := db.Query("DESCRIBE SELECT * FROM read_parquet('" + path + "', hive_partitioning = true)")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols := map[string]string{}
	var names []string
	for rows.Next() {
		var name, typ string
		var null, key, def, extra sql.NullString
		if err := rows.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
			t.Fatal(err)
		}
		cols[name] = name + " " + typ
		names = append(names, name)
	}
	var got []string
	for _, w := range strings.Split(want, ", ") {
		name, _, _ := strings.Cut(w, " ")
		got = append(got, cols[name])
	}
	if strings.Join(got, ", ") != want || len(names) != len(got) {
		t.Errorf("%s: columns %v (as %v), want %s", path, names, got, want)
	}
}

// lines runs a query and returns its rows as sorted lines of text.
func lines(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func compare(t *testing.T, what string, want, got []string) {
	t.Helper()
	if slices.Equal(want, got) {
		return
	}
	missing, extra := diff(want, got), diff(got, want)
	t.Errorf("%s: %d rows, want %d; missing %d %q; unexpected %d %q", what, len(got), len(want),
		len(missing), missing[:min(3, len(missing))], len(extra), extra[:min(3, len(extra))])
}

// diff is what of a (sorted) is not in b.
func diff(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out = append(out, s)
		}
	}
	return out
}
