package deliver_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "etlrunner/etl/deliver"
	"etlrunner/etl/deliver/delivertest"
	"etlrunner/etl/migrate"
	"etlrunner/etl/warehouse"
)

// outboxDB is an in-memory warehouse migrated as the project's warehouse
// is, outbox included.
func outboxDB(t *testing.T) *sql.DB {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	m, err := migrate.New(w.DB, os.DirFS(filepath.Join("..", "..", "sql", "migrations")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	return w.DB
}

func smtpTo(ms *delivertest.Mail) map[string]Sender {
	return map[string]Sender{"email": SMTP{Host: "127.0.0.1", Port: ms.Port, TLS: "none", From: "alerts@example.com", Timeout: 5 * time.Second}}
}

// received lists what the server got as "to|raw message".
func received(ms *delivertest.Mail) []string {
	var out []string
	for _, r := range ms.Received() {
		out = append(out, r.To+"|"+r.Data)
	}
	return out
}

var alert = Message{Model: "shipment_return_alerts", Key: "C1|2023-05", Channel: "email", Recipient: "ops@client.example",
	Subject: "3 returned orders in May", Body: "Client C1 had 3 returned or cancelled orders in 2023-05."}

// A message is enqueued once however often its model is built, sent once,
// and never again on later runs.
func TestEnqueueAndDeliverOnce(t *testing.T) {
	ctx := context.Background()
	db, ms := outboxDB(t), delivertest.StartMail(t)
	now := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	for run, want := range []int{1, 0} {
		other := alert
		other.Body = "rendered again by a later run"
		n, err := Enqueue(ctx, db, "run"+string(rune('1'+run)), now, []Message{alert, other})
		if err != nil || n != want {
			t.Fatalf("run %d: enqueued %d (%v), want %d", run+1, n, err, want)
		}
	}
	for pass, want := range []int{1, 0} {
		rep, err := Deliver(ctx, db, smtpTo(ms), Options{Now: func() time.Time { return now }})
		if err != nil || rep.Sent != want {
			t.Fatalf("pass %d: %+v %v, want %d sent", pass+1, rep, err, want)
		}
	}
	got := received(ms)
	if len(got) != 1 || !strings.HasPrefix(got[0], "ops@client.example|") || !strings.Contains(got[0], "Subject: 3 returned orders in May") ||
		!strings.Contains(got[0], "Client C1 had 3 returned") || !strings.Contains(got[0], "Message-ID: <"+alert.ID()+"@etl>") {
		t.Fatalf("received %q", got)
	}
	var status string
	if err := db.QueryRow("SELECT status || ':' || attempts || ':' || (sent_at IS NOT NULL) FROM " + Table).Scan(&status); err != nil || status != "sent:0:true" {
		t.Fatalf("outbox says %q (%v)", status, err)
	}
}

// A server that refuses: the send is retried after a growing wait, then
// failed for good, each failure reported with the recipient and the
// server's answer.
func TestDeliverRetriesThenFails(t *testing.T) {
	ctx := context.Background()
	db, ms := outboxDB(t), delivertest.StartMail(t)
	ms.Fail("mailbox unavailable")
	now := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	if _, err := Enqueue(ctx, db, "r1", now, []Message{alert}); err != nil {
		t.Fatal(err)
	}
	opts := Options{MaxAttempts: 3, Backoff: time.Minute, Now: func() time.Time { return now }}
	steps := []struct {
		at               time.Duration
		retrying, failed int
	}{{0, 1, 0}, {30 * time.Second, 0, 0}, {time.Minute, 1, 0}, {2 * time.Minute, 0, 0}, {3 * time.Minute, 0, 1}, {time.Hour, 0, 0}}
	for _, s := range steps {
		at := now.Add(s.at)
		opts.Now = func() time.Time { return at }
		rep, err := Deliver(ctx, db, smtpTo(ms), opts)
		if err != nil || rep.Retrying != s.retrying || rep.Failed != s.failed || rep.Sent != 0 {
			t.Fatalf("at +%v: %+v %v", s.at, rep, err)
		}
		if s.retrying+s.failed > 0 && (len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], "ops@client.example") || !strings.Contains(rep.Errors[0], "mailbox unavailable")) {
			t.Fatalf("at +%v: errors %q", s.at, rep.Errors)
		}
	}
	var status string
	if err := db.QueryRow("SELECT status || ':' || attempts FROM " + Table).Scan(&status); err != nil || status != "failed:3" {
		t.Fatalf("outbox says %q (%v)", status, err)
	}
}

// failingSender fails like a dead process would, after the send began.
type failingSender struct{ sent *int }

func (f failingSender) Send(context.Context, Message, string) error {
	*f.sent++
	return errors.New("connection reset")
}

// A message a dead run left "sending" may have gone out: it is reported
// as unconfirmed and not sent again by itself; a pending one is sent.
func TestSendingIsNeverResent(t *testing.T) {
	ctx := context.Background()
	db, ms := outboxDB(t), delivertest.StartMail(t)
	now := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	second := alert
	second.Key = "C2|2023-05"
	if _, err := Enqueue(ctx, db, "r1", now, []Message{alert, second}); err != nil {
		t.Fatal(err)
	}
	// As a run that died mid-send leaves it.
	if _, err := db.Exec("UPDATE "+Table+" SET status = ? WHERE message_id = ?", Sending, alert.ID()); err != nil {
		t.Fatal(err)
	}
	rep, err := Deliver(ctx, db, smtpTo(ms), Options{Now: func() time.Time { return now }})
	if err != nil || rep.Sent != 1 || rep.Unconfirmed != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if got := received(ms); len(got) != 1 || !strings.Contains(got[0], "Message-ID: <"+second.ID()+"@etl>") {
		t.Fatalf("received %q", got)
	}
	// A channel without a sender leaves its messages pending.
	n := 0
	third := second
	third.Key, third.Channel = "C3|2023-05", "webhook"
	if _, err := Enqueue(ctx, db, "r2", now, []Message{third}); err != nil {
		t.Fatal(err)
	}
	if rep, err := Deliver(ctx, db, map[string]Sender{"email": failingSender{&n}}, Options{Now: func() time.Time { return now }}); err != nil || n != 0 || rep.Sent != 0 {
		t.Fatalf("%+v %v, %d sends", rep, err, n)
	}
}
