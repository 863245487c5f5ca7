package robustness

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"etlrunner/etl/deliver"
	"etlrunner/etl/deliver/delivertest"
	"etlrunner/etl/warehouse"
)

// The test channels' secrets and chat, as etl.yml reads them from the
// environment.
const (
	crashWebhookSecret = "whsec-robustness-5e1f"
	crashTelegramToken = "7000000001:robustness-token"
	crashTelegramChat  = "-1009000001"
)

// deliveryChannels are the project's three delivery channels.
var deliveryChannels = []string{"email", "webhook", "telegram"}

// startReceivers starts the three receivers and points the channels at
// them; etl processes started afterwards inherit the settings.
func startReceivers(t *testing.T) *delivertest.Receivers {
	t.Helper()
	return delivertest.StartAll(t, delivertest.Secrets{WebhookSecret: crashWebhookSecret, TelegramToken: crashTelegramToken, TelegramChat: crashTelegramChat})
}

// total is how many messages the receivers got, all channels together.
func total(r *delivertest.Receivers) int {
	c := r.Counts()
	return c[0] + c[1] + c[2]
}

// tally counts the messages received per outbox id: an e-mail by its
// Message-ID, a webhook call by its Idempotency-Key (both the outbox id),
// a Telegram message by its chat and text (Telegram has no key). What
// matches no message of the outbox is counted under a description of it.
func tally(r *delivertest.Receivers, box map[string]outboxRow) map[string]int {
	got := map[string]int{}
	for _, m := range r.Mail.Received() {
		id := strings.TrimSuffix(strings.Trim(m.Key, "<>"), "@etl")
		if row, ok := box[id]; !ok || row.channel != "email" || row.recipient != m.To {
			id = fmt.Sprintf("e-mail %s to %s", m.Key, m.To)
		}
		got[id]++
	}
	for _, m := range r.Webhook.Received() {
		id := m.Key
		if row, ok := box[id]; !ok || row.channel != "webhook" {
			id = "webhook call " + m.Key
		}
		got[id]++
	}
	for _, m := range r.Telegram.Received() {
		id := fmt.Sprintf("Telegram message to %s: %q", m.To, m.Data)
		for _, row := range box {
			if row.channel == "telegram" && row.recipient == m.To && row.body == m.Data {
				id = row.id
			}
		}
		got[id]++
	}
	return got
}

// deliveryProject copies the repository's project with its seeds, the
// landing folder etl.yml names.
func deliveryProject(t *testing.T) string {
	t.Helper()
	dir := repoProject(t)
	copyTree(t, "../../seeds", filepath.Join(dir, "seeds"))
	return dir
}

// outboxRow is one message of the outbox.
type outboxRow struct {
	id, channel, recipient, body, status string
}

// readOutbox returns the outbox of the warehouse in dir by message id; no
// etl process may be running.
func readOutbox(t *testing.T, dir string) map[string]outboxRow {
	t.Helper()
	w, err := warehouse.Open(context.Background(), warehouse.Options{Path: filepath.Join(dir, "target/warehouse.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rows, err := w.DB.Query("SELECT message_id, channel, recipient, body, status FROM " + deliver.Table)
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	defer rows.Close()
	box := map[string]outboxRow{}
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.id, &r.channel, &r.recipient, &r.body, &r.status); err != nil {
			t.Fatal(err)
		}
		box[r.id] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return box
}

// statuses tallies an outbox by status.
func statuses(box map[string]outboxRow) map[string]int {
	out := map[string]int{}
	for _, r := range box {
		out[r.status]++
	}
	return out
}

// withStatus lists the ids of the messages with status, sorted.
func withStatus(box map[string]outboxRow, status string) []string {
	var ids []string
	for id, r := range box {
		if r.status == status {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// checkEveryChannel fails unless each channel has messages in the outbox:
// the counts come from the warehouse, whatever the seeds hold.
func checkEveryChannel(t *testing.T, box map[string]outboxRow) {
	t.Helper()
	per := map[string]int{}
	for _, r := range box {
		per[r.channel]++
	}
	for _, ch := range deliveryChannels {
		if per[ch] == 0 {
			t.Fatalf("the outbox has no %s message (by channel: %v)", ch, per)
		}
	}
}

// checkSameMessages fails unless after holds exactly the messages of
// before: a later run neither queued one again nor lost one.
func checkSameMessages(t *testing.T, when string, before, after map[string]outboxRow) {
	t.Helper()
	for id := range before {
		if _, ok := after[id]; !ok {
			t.Errorf("%s: message %s left the outbox", when, id)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%s: the outbox has %d messages, had %d", when, len(after), len(before))
	}
}

// checkReceived holds what the receivers got against the outbox: each
// message want(row) times, nothing that is not in the outbox.
func checkReceived(t *testing.T, when string, r *delivertest.Receivers, box map[string]outboxRow, want func(outboxRow) int) {
	t.Helper()
	got := tally(r, box)
	for id, row := range box {
		if got[id] != want(row) {
			t.Errorf("%s: %s message %s (to %s, %s) received %d times, want %d", when, row.channel, id, row.recipient, row.status, got[id], want(row))
		}
	}
	for id, n := range got {
		if _, ok := box[id]; !ok {
			t.Errorf("%s: received %d times, not in the outbox: %s", when, n, id)
		}
	}
}

var deliveriesLine = regexp.MustCompile(`Deliveries: (\d+) queued, (\d+) sent`)

// deliveryCounts reads how many messages a run says it queued and sent.
func deliveryCounts(t *testing.T, stdout string) (queued, sent int) {
	t.Helper()
	m := deliveriesLine.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no Deliveries line in the output:\n%s", stdout)
	}
	queued, _ = strconv.Atoi(m[1])
	sent, _ = strconv.Atoi(m[2])
	return queued, sent
}

// allQueued says whether a run printed the delivery node of every channel:
// their messages are committed to the outbox.
func allQueued(printed string) bool {
	for _, ch := range deliveryChannels {
		found := false
		for _, line := range strings.Split(printed, "\n") {
			if strings.Contains(line, "delivery ") && strings.Contains(line, "-> "+ch+" ") && strings.Contains(line, "queued") {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// TestDeliveryKillBeforeSend kills a build with SIGKILL once its delivery
// nodes have committed their messages and before its send pass (which
// starts only after the exports are published). Nothing went out and
// everything stays pending; the next build sends each message exactly
// once, and a third sends nothing more.
func TestDeliveryKillBeforeSend(t *testing.T) {
	const trials = 3
	var (
		dir string
		r   *delivertest.Receivers
		box map[string]outboxRow
	)
	for trial := 1; ; trial++ {
		// A lost race taints the receivers and the outbox: each trial
		// starts afresh.
		dir, r = deliveryProject(t), startReceivers(t)
		p := startEtl(t, dir, "build")
		if !p.readUntil(allQueued) {
			err := p.cmd.Wait()
			t.Fatalf("the run ended (%v) before every delivery node queued:\n%s", err, p.seen.String())
		}
		killed, _ := p.stop(syscall.SIGKILL)
		box = readOutbox(t, dir)
		if killed && total(r) == 0 && statuses(box)[deliver.Pending] == len(box) {
			break
		}
		if trial == trials {
			t.Fatalf("%d runs began sending before the kill landed (last: killed %v, %d received, outbox %v)", trials, killed, total(r), statuses(box))
		}
		t.Logf("trial %d: the run began sending before the kill (killed %v, %d received, outbox %v); again", trial, killed, total(r), statuses(box))
	}
	checkEveryChannel(t, box)
	t.Logf("killed after the delivery nodes: outbox %v", statuses(box))

	res := mustBuild(t, dir)
	after := readOutbox(t, dir)
	checkSameMessages(t, "the next build", box, after)
	if s := statuses(after); s[deliver.Sent] != len(after) {
		t.Errorf("after the next build the outbox is %v, want all %d sent", s, len(after))
	}
	checkReceived(t, "after the next build", r, after, func(outboxRow) int { return 1 })
	if queued, sent := deliveryCounts(t, res.stdout); queued != 0 || sent != len(box) {
		t.Errorf("the next build says %d queued, %d sent; want 0 queued (they were), %d sent", queued, sent, len(box))
	}

	res = mustBuild(t, dir)
	again := readOutbox(t, dir)
	checkSameMessages(t, "a third build", box, again)
	if s := statuses(again); s[deliver.Sent] != len(again) {
		t.Errorf("after a third build the outbox is %v, want all %d sent", s, len(again))
	}
	checkReceived(t, "after a third build", r, again, func(outboxRow) int { return 1 })
	if queued, sent := deliveryCounts(t, res.stdout); queued != 0 || sent != 0 {
		t.Errorf("a third build says %d queued, %d sent; want nothing", queued, sent)
	}
}

// TestDeliveryKillAfterSendBeforeMark kills a build with SIGKILL while the
// webhook receiver holds its first message, before the run hears it went
// out: the outbox says "sending". The next build must not send it again
// (it may have gone out) but report it unconfirmed, and send every other
// message exactly once; etl deliveries lists it, and resend sends it
// again when an operator asks.
func TestDeliveryKillAfterSendBeforeMark(t *testing.T) {
	dir, r := deliveryProject(t), startReceivers(t)
	p := startEtl(t, dir, "build")
	first := make(chan delivertest.Received, 1)
	dead := make(chan struct{})
	var once sync.Once
	r.Webhook.OnReceive(func(m delivertest.Received) {
		once.Do(func() {
			// The receiver has the message and has not answered yet.
			_ = p.cmd.Process.Kill()
			first <- m
			// Answer only once the run is gone, so it can never hear it.
			select {
			case <-dead:
			case <-time.After(30 * time.Second):
			}
		})
	})
	p.readUntil(func(string) bool { return false })
	err := p.cmd.Wait()
	close(dead)
	var got delivertest.Received
	select {
	case got = <-first:
	default:
		t.Fatalf("the run sent no webhook message (%v):\n%s", err, p.seen.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Exited() {
		t.Fatalf("the run was not killed: %v\n%s", err, p.seen.String())
	}
	t.Logf("killed while the receiver held webhook message %s", got.Key)

	box := readOutbox(t, dir)
	checkEveryChannel(t, box)
	if sending := withStatus(box, deliver.Sending); len(sending) != 1 || sending[0] != got.Key {
		t.Fatalf("after the kill the messages sending are %v, want only %s (outbox %v)", sending, got.Key, statuses(box))
	}
	if s := statuses(box); s[deliver.Pending]+s[deliver.Sent]+s[deliver.Sending] != len(box) {
		t.Errorf("after the kill the outbox is %v, want only pending, sent and one sending", s)
	}
	// What went out before the kill is exactly what the outbox says is
	// sent, and the message in flight.
	checkReceived(t, "after the kill", r, box, func(row outboxRow) int {
		if row.status == deliver.Sent || row.id == got.Key {
			return 1
		}
		return 0
	})
	pending := len(withStatus(box, deliver.Pending))

	res := mustBuild(t, dir)
	after := readOutbox(t, dir)
	checkSameMessages(t, "the next build", box, after)
	if s := after[got.Key].status; s != deliver.Unconfirmed {
		t.Errorf("the message in flight is %s after the next build, want %s", s, deliver.Unconfirmed)
	}
	if s := statuses(after); s[deliver.Sent] != len(after)-1 {
		t.Errorf("after the next build the outbox is %v, want all but one sent", s)
	}
	// Across both runs: each message once, the unconfirmed one included
	// (the next build did not send it again).
	checkReceived(t, "after the next build", r, after, func(outboxRow) int { return 1 })
	if queued, sent := deliveryCounts(t, res.stdout); queued != 0 || sent != pending {
		t.Errorf("the next build says %d queued, %d sent; want 0 queued, %d sent (the pending ones)", queued, sent, pending)
	}
	if !strings.Contains(res.stdout, "1 unconfirmed") {
		t.Errorf("the next build does not report 1 unconfirmed message:\n%s", res.stdout)
	}

	list := etl(t, dir, "deliveries", "--status", "unconfirmed")
	if list.code != 0 || !strings.Contains(list.stdout, got.Key[:12]) {
		t.Errorf("etl deliveries --status unconfirmed does not list %s (exit %d)\n%s", got.Key[:12], list.code, list)
	}
	for id := range after {
		if id != got.Key && strings.Contains(list.stdout, id[:12]) {
			t.Errorf("etl deliveries --status unconfirmed lists %s (%s)\n%s", id[:12], after[id].status, list.stdout)
		}
	}

	resend := etl(t, dir, "deliveries", "resend", got.Key[:12])
	if resend.code != 0 {
		t.Fatalf("etl deliveries resend %s: exit %d\n%s", got.Key[:12], resend.code, resend)
	}
	if _, sent := deliveryCounts(t, resend.stdout); sent != 1 {
		t.Errorf("etl deliveries resend says %d sent, want 1\n%s", sent, resend.stdout)
	}
	final := readOutbox(t, dir)
	checkSameMessages(t, "resend", box, final)
	if s := statuses(final); s[deliver.Sent] != len(final) {
		t.Errorf("after resend the outbox is %v, want all %d sent", s, len(final))
	}
	// The operator's resend is the one second copy.
	checkReceived(t, "after resend", r, final, func(row outboxRow) int {
		if row.id == got.Key {
			return 2
		}
		return 1
	})
}
