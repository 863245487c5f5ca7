package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"etlrunner/etl/deliver/delivertest"
)

// Secrets of the test channels: none may appear in any line, artifact or
// output of a run.
const (
	smtpPassword  = "smtp-pa55word-7f3c"
	webhookSecret = "whsec-9d2e41-signing"
	webhookPath   = "T0001/B0002/hookpath-c0ffee"
	telegramToken = "7012345678:AAH-bot-token-f00d"
	telegramChat  = "-1001234567"
)

func startReceivers(t *testing.T) *delivertest.Receivers {
	t.Helper()
	return delivertest.StartAll(t, delivertest.Secrets{SMTPPassword: smtpPassword, WebhookSecret: webhookSecret,
		WebhookPath: webhookPath, TelegramToken: telegramToken, TelegramChat: telegramChat})
}

// setDeliveries replaces settings of etl.yml's deliveries: block.
func setDeliveries(t *testing.T, dir string, pairs ...string) {
	t.Helper()
	path := filepath.Join(dir, "etl.yml")
	text := read(t, path)
	for i := 0; i+1 < len(pairs); i += 2 {
		start := strings.Index(text, "\n  "+pairs[i]+":")
		if start < 0 {
			t.Fatalf("etl.yml has no deliveries setting %s", pairs[i])
		}
		end := start + 1 + strings.Index(text[start+1:], "\n")
		text = text[:start] + "\n  " + pairs[i] + ": " + pairs[i+1] + text[end:]
	}
	write(t, path, text)
}

type deliveryResults struct {
	Deliveries struct {
		Status                                  string
		Queued, Sent, Retrying, Failed, Waiting int
		Errors                                  []string
	}
}

func runDeliveries(t *testing.T, dir string) deliveryResults {
	t.Helper()
	var got deliveryResults
	if err := json.Unmarshal([]byte(read(t, filepath.Join(dir, "target", "run_results.json"))), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// wantRows are the rows each alert model holds, as the messages must
// cover them: the e-mail recipients (the client's address or the
// fallback) and the fraud alerts' order/rule pairs.
func wantRows(t *testing.T, dir string) (mails, alerts []string) {
	t.Helper()
	db := runWarehouse(t, dir)
	for query, into := range map[string]*[]string{
		"SELECT coalesce(client_email, 'shipments-ops@example.com') FROM gold.shipment_return_alerts": &mails,
		"SELECT order_id || '/' || rule FROM gold.order_fraud_alerts":                                 &alerts,
	} {
		rows, err := db.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			*into = append(*into, s)
		}
		rows.Close()
	}
	db.Close()
	sort.Strings(mails)
	sort.Strings(alerts)
	if len(mails) == 0 || len(alerts) == 0 {
		t.Fatalf("the seeds give %d shipment alerts and %d fraud alerts; the test needs both", len(mails), len(alerts))
	}
	return mails, alerts
}

// On the project's seeds, one build sends one e-mail per shipment alert to
// the row's address (an unknown client to the fallback), one signed
// webhook call per fraud alert and one Telegram digest; later builds, a
// full refresh included, send nothing; no secret shows anywhere.
func TestDeliveriesOnce(t *testing.T) {
	dir := copyProject(t)
	rc := startReceivers(t)
	var printed strings.Builder
	first := etl(t, dir, "build").must(t, ExitOK)
	printed.WriteString(first.stdout + first.stderr)
	mails, alerts := wantRows(t, dir)

	var gotMails []string
	for _, m := range rc.Mail.Received() {
		gotMails = append(gotMails, m.To)
		if !strings.Contains(m.Data, "cancelled or returned shipments in") || !strings.Contains(m.Data, "From: <alerts@etl.example>") {
			t.Errorf("e-mail to %s:\n%s", m.To, m.Data)
		}
	}
	sort.Strings(gotMails)
	if strings.Join(gotMails, ",") != strings.Join(mails, ",") {
		t.Errorf("e-mails went to %v, want one per alert row: %v", gotMails, mails)
	}
	var gotAlerts []string
	for _, w := range rc.Webhook.Received() {
		f, _ := w.Doc["fields"].(map[string]any)
		gotAlerts = append(gotAlerts, fmt.Sprintf("%v/%v", f["order_id"], f["rule"]))
		if !strings.HasPrefix(w.Data, "Suspected fraud (") {
			t.Errorf("webhook text %q", w.Data)
		}
	}
	sort.Strings(gotAlerts)
	if strings.Join(gotAlerts, ",") != strings.Join(alerts, ",") {
		t.Errorf("webhook calls %v, want one per fraud alert: %v", gotAlerts, alerts)
	}
	// The Telegram API refuses MarkdownV2 it cannot parse, so arriving is
	// the proof the digest's values were escaped.
	digests := rc.Telegram.Received()
	if len(digests) != 1 || digests[0].To != telegramChat || !strings.Contains(digests[0].Data, "*Customer spending*") ||
		!strings.Contains(digests[0].Data, "18\\-24: ") {
		t.Fatalf("telegram got %+v", digests)
	}
	total := len(mails) + len(alerts) + 1
	if d := runDeliveries(t, dir).Deliveries; d.Status != "ok" || d.Queued != total || d.Sent != total {
		t.Errorf("run_results.json deliveries %+v, want %d queued and sent", d, total)
	}
	first.contains(t, fmt.Sprintf("Deliveries: %d queued, %d sent.", total, total))

	before := rc.Counts()
	for _, args := range [][]string{{"build"}, {"build", "--full-refresh"}, {"build", "--log-format", "json"}} {
		r := etl(t, dir, args...).must(t, ExitOK)
		if args[len(args)-1] == "json" {
			r.contains(t, `"msg":"deliveries","status":"ok","queued":0,"sent":0`)
		} else {
			r.contains(t, "Deliveries: 0 queued, 0 sent.")
		}
		printed.WriteString(r.stdout + r.stderr)
		if after := rc.Counts(); after != before {
			t.Fatalf("%v sent again: %v, was %v", args, after, before)
		}
	}
	list := etl(t, dir, "deliveries").must(t, ExitOK).contains(t, fmt.Sprintf("Outbox: 0 pending, 0 sending, 0 unconfirmed, %d sent", total))
	printed.WriteString(list.stdout + list.stderr)
	noSecrets(t, printed.String(), dir)
}

// noSecrets fails when a secret of the test channels shows in printed
// text or in any file the runs left (artifacts, outputs, the warehouse).
func noSecrets(t *testing.T, printed, dir string) {
	t.Helper()
	secrets := []string{smtpPassword, webhookSecret, webhookPath, telegramToken}
	for _, s := range secrets {
		if strings.Contains(printed, s) {
			t.Errorf("a secret was printed: %q", s)
		}
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds a secret %q", p, s)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Receivers that refuse or time out: the data run publishes its outputs
// anyway, says so in the exit code (on_failure: error) and run_results.json,
// and the next run sends what failed, once.
func TestDeliveriesRefusedThenRetried(t *testing.T) {
	dir := copyProject(t)
	rc := startReceivers(t)
	setDeliveries(t, dir, "backoff", "1ms", "timeout", "300ms", "on_failure", "error")
	rc.Mail.Fail("mailbox unavailable")
	// Nobody listens on port 1: the error names the URL, which holds a
	// secret, as Slack's do.
	t.Setenv("ETL_WEBHOOK_URL", "http://127.0.0.1:1/"+webhookPath)
	hang := make(chan struct{})
	rc.Telegram.OnReceive(func(delivertest.Received) { <-hang })
	first := etl(t, dir, "build")
	close(hang)
	first.must(t, ExitDeliveries).contains(t, "Published ", "ERROR delivery email to", "mailbox unavailable", "connection refused", "Client.Timeout")
	printed := first.stdout + first.stderr
	if _, err := os.Stat(filepath.Join(dir, "output", "_manifest.json")); err != nil {
		t.Fatalf("outputs not published: %v", err)
	}
	d := runDeliveries(t, dir).Deliveries
	if d.Status != "error" || d.Sent != 0 || d.Retrying != d.Queued || d.Queued == 0 || len(d.Errors) != d.Queued {
		t.Fatalf("run_results.json deliveries %+v", d)
	}
	// The hung Telegram API got the digest; the sender gave up waiting, so
	// for the runner it failed and is sent again.
	got := len(rc.Telegram.Received())
	if got != 1 || len(rc.Mail.Received())+len(rc.Webhook.Received()) != 0 {
		t.Fatalf("received %v", rc.Counts())
	}

	rc.Mail.Fail("")
	t.Setenv("ETL_WEBHOOK_URL", rc.Webhook.URL+"/"+webhookPath)
	rc.Telegram.OnReceive(nil)
	setDeliveries(t, dir, "on_failure", "warn")
	etl(t, dir, "build").must(t, ExitOK).contains(t, fmt.Sprintf("Deliveries: 0 queued, %d sent.", d.Queued))
	mails, alerts := wantRows(t, dir)
	if c := rc.Counts(); c != [3]int{len(mails), len(alerts), 2} {
		t.Fatalf("after the retry received %v, want %d e-mails, %d webhook calls, the digest again", c, len(mails), len(alerts))
	}
	if d := runDeliveries(t, dir).Deliveries; d.Status != "ok" || d.Sent != d.Queued+len(mails)+len(alerts)+1 {
		t.Fatalf("run_results.json deliveries %+v", d)
	}

	// warn: a failed send is reported, the exit code stays 0.
	rc.Webhook.Fail("receiver busy")
	id := firstID(t, dir, "webhook")
	r := etl(t, dir, "deliveries", "resend", id).must(t, ExitOK).contains(t, "WARN delivery webhook to webhook", "HTTP 503", "1 retrying")
	list := etl(t, dir, "deliveries", "--status", "pending").must(t, ExitOK).contains(t, "1 pending", "receiver busy")
	noSecrets(t, printed+r.stdout+r.stderr+list.stdout, dir)
}

// firstID is the id of one sent message of a channel, as etl deliveries
// lists it.
func firstID(t *testing.T, dir, channel string) string {
	t.Helper()
	out := etl(t, dir, "deliveries", "--status", "sent").must(t, ExitOK).stdout
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[1] == "sent" && f[2] == channel {
			return f[0]
		}
	}
	t.Fatalf("no sent %s message listed:\n%s", channel, out)
	return ""
}

// A failed run publishes nothing and sends no alert, but the on_run_failure
// notice goes out; the alerts it queued go with the next good run.
func TestRunFailureNotice(t *testing.T) {
	dir := copyProject(t)
	rc := startReceivers(t)
	seed := filepath.Join(dir, "seeds", "shipments.csv")
	good := read(t, seed)
	write(t, seed, good[:strings.Index(good, "\n")+1]+"\"unterminated,quote\n")
	r := etl(t, dir, "build").must(t, ExitFailed)
	notices := rc.Telegram.Received()
	if len(notices) != 1 || notices[0].To != telegramChat || !strings.Contains(notices[0].Data, "*etl build failed*") ||
		!strings.Contains(notices[0].Data, "seed raw\\.shipments") {
		t.Fatalf("notice %+v\n%s", notices, r.stdout)
	}
	if len(rc.Mail.Received())+len(rc.Webhook.Received()) != 0 {
		t.Fatalf("a failed run sent alerts: %v", rc.Counts())
	}
	write(t, seed, good)
	etl(t, dir, "build").must(t, ExitOK)
	mails, alerts := wantRows(t, dir)
	if c := rc.Counts(); c != [3]int{len(mails), len(alerts), 2} {
		t.Fatalf("after the good run received %v", c)
	}
}

// Without settings the channels are not configured: a build still exits 0
// and says so; the dry run renders every message, sends and queues none.
func TestDeliveriesNotConfiguredAndDryRun(t *testing.T) {
	dir := copyProject(t)
	for _, k := range []string{"ETL_SMTP_HOST", "ETL_SMTP_FROM", "ETL_WEBHOOK_URL", "ETL_TELEGRAM_TOKEN"} {
		t.Setenv(k, "")
	}
	etl(t, dir, "build").must(t, ExitOK).contains(t, "Deliveries are not configured (email: host and from not set; telegram: token not set; webhook: url not set): nothing was queued or sent.")
	dry := etl(t, dir, "deliveries", "send", "--dry-run").must(t, ExitOK)
	mails, alerts := wantRows(t, dir)
	dry.contains(t, fmt.Sprintf("delivery email (models/gold/shipments.yml, one per row): %d messages", len(mails)),
		fmt.Sprintf("delivery webhook (models/gold/ecommerce_cdc.yml, one per row): %d messages", len(alerts)),
		"on_run_end spending_statistics (models/gold/spending.yml, one per run): 1 messages",
		"to shipments-ops@example.com", "Subject: ", "*Customer spending*", "Dry run: nothing was sent or queued.")
	if n := strings.Count(dry.stdout, "[new: the next build queues it]"); n != len(mails)+len(alerts)+1 {
		t.Errorf("%d messages marked new", n)
	}
	etl(t, dir, "deliveries").must(t, ExitOK).contains(t, "Outbox: 0 pending, 0 sending, 0 unconfirmed, 0 sent, 0 failed, 0 cancelled.")

	// Configured later, the next build sends what the rows call for now.
	rc := startReceivers(t)
	etl(t, dir, "build").must(t, ExitOK)
	if c := rc.Counts(); c != [3]int{len(mails), len(alerts), 1} {
		t.Fatalf("received %v", c)
	}
	etl(t, dir, "deliveries", "send", "--dry-run").must(t, ExitOK).contains(t, "[sent]")
	if c := rc.Counts(); c != [3]int{len(mails), len(alerts), 1} {
		t.Fatalf("the dry run sent: %v", c)
	}
}

// A pending message whose row leaves the model before it is sent is
// cancelled, not sent about data that no longer says so; a pending digest
// is replaced by the newer one.
func TestDeliveryCancelledWhenRowLeaves(t *testing.T) {
	dir := copyProject(t)
	rc := startReceivers(t)
	setDeliveries(t, dir, "backoff", "1ms")
	rc.Mail.Fail("mailbox unavailable")
	rc.Telegram.Fail("bot blocked")
	etl(t, dir, "build").must(t, ExitOK)
	setVar(t, dir, "alert_min_problem_orders", "4")
	setVar(t, dir, "voucher_threshold", "3000")
	rc.Mail.Fail("")
	rc.Telegram.Fail("")
	r := etl(t, dir, "build").must(t, ExitOK)
	mails, digests := rc.Mail.Received(), rc.Telegram.Received()
	if len(mails) != 1 || !strings.Contains(r.stdout, "[0 queued, 7 cancelled (their rows are gone)") {
		t.Fatalf("%d e-mails after the threshold rose\n%s", len(mails), r.stdout)
	}
	if len(digests) != 1 || !strings.Contains(digests[0].Data, "at least 3000") || !strings.Contains(r.stdout, "[1 queued, 1 cancelled") {
		t.Fatalf("digests %+v\n%s", digests, r.stdout)
	}
}

// setVar rewrites one var of etl.yml.
func setVar(t *testing.T, dir, name, value string) {
	t.Helper()
	path := filepath.Join(dir, "etl.yml")
	text := read(t, path)
	start := strings.Index(text, "\n  "+name+":")
	if start < 0 {
		t.Fatalf("etl.yml has no var %s", name)
	}
	end := start + 1 + strings.Index(text[start+1:], "\n")
	write(t, path, text[:start]+"\n  "+name+": "+value+text[end:])
}

// A first build with --no-send queues without sending; cancelling a
// model's queue makes its current rows a baseline never alerted, while
// what stays queued goes out with etl deliveries send.
func TestDeliveriesNoSendAndCancel(t *testing.T) {
	dir := copyProject(t)
	rc := startReceivers(t)
	r := etl(t, dir, "build", "--no-send").must(t, ExitOK).contains(t, "none sent (--no-send)")
	if c := rc.Counts(); c != [3]int{} {
		t.Fatalf("--no-send sent %v\n%s", c, r.stdout)
	}
	mails, alerts := wantRows(t, dir)
	etl(t, dir, "deliveries", "cancel").must(t, ExitProblem).contains(t, "cancel takes one message id, --model or --all")
	etl(t, dir, "deliveries", "cancel", "--model", "order_fraud_alerts").must(t, ExitOK).
		contains(t, fmt.Sprintf("Cancelled %d pending messages", len(alerts)))
	etl(t, dir, "deliveries", "send").must(t, ExitOK).contains(t, fmt.Sprintf("Deliveries: 0 queued, %d sent.", len(mails)+1))
	if c := rc.Counts(); c != [3]int{len(mails), 0, 1} {
		t.Fatalf("after send received %v", c)
	}
	etl(t, dir, "build").must(t, ExitOK).contains(t, "Deliveries: 0 queued, 0 sent.")
	if c := rc.Counts(); c != [3]int{len(mails), 0, 1} {
		t.Fatalf("a later build sent the cancelled alerts: %v", c)
	}
	etl(t, dir, "deliveries", "--status", "cancelled").must(t, ExitOK).contains(t, fmt.Sprintf("%d cancelled", len(alerts)), "cancelled by etl deliveries cancel")
}
