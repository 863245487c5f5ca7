package robustness

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"etlrunner/etl/deliver"
)

// cleanMessages are the ids of the messages a clean build queues on
// landing: a fresh copy of the project built with --no-send, so it sends
// nothing to the test's receivers.
func cleanMessages(t *testing.T, landing string) map[string]outboxRow {
	t.Helper()
	dir := repoProject(t)
	mustBuild(t, dir, "--vars", "{seeds_dir: "+landing+"}", "--no-send")
	return readOutbox(t, dir)
}

// TestDeliveryNights runs the nightly job with the three channels
// configured, night after night on a changing landing folder (shipments
// replaced, a CDC file cut in half, notification files removed and added
// late), the run killed at a random point every other night before the
// night's full build. After each night every message a clean build on
// the same landing queues is in the outbox and sent (or, killed mid-send,
// unconfirmed), and no receiver ever got a message twice or one the
// outbox does not hold. Each change happens twice: rows that leave and
// come back are the same alerts, sent once.
func TestDeliveryNights(t *testing.T) {
	r := startReceivers(t)
	landing, spare := filepath.Join(t.TempDir(), "landing"), t.TempDir()
	copyTree(t, "../../seeds", landing)
	vars := "{seeds_dir: " + landing + "}"
	dir := repoProject(t)
	lines := len(strings.Split(mustBuild(t, dir, "--vars", vars).stdout, "\n"))
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	seen := map[string]bool{} // the distinct message sets of clean builds
	for night := range 2 * len(changes) {
		c := changes[(night+3)%len(changes)] // shipments first: its alerts change
		c.apply(t, landing, spare, night)
		if night%2 == 0 {
			at := 1 + rng.IntN(lines)
			last, _ := killAtLine(t, dir, at, time.Duration(rng.IntN(40))*time.Millisecond, "build", "--vars", vars)
			t.Logf("night %d (%s): killed after line %d: %s", night+1, c.name, at, last)
		}
		mustBuild(t, dir, "--vars", vars)
		box, clean := readOutbox(t, dir), cleanMessages(t, landing)
		when := fmt.Sprintf("night %d (%s)", night+1, c.name)
		if len(clean) == 0 {
			t.Fatalf("%s: a clean build queues no message", when)
		}
		seen[strings.Join(slices.Sorted(maps.Keys(clean)), ",")] = true
		for id, want := range clean {
			got, ok := box[id]
			switch {
			case !ok:
				t.Errorf("%s: %s message %s to %s of a clean build was never queued", when, want.channel, id, want.recipient)
			case got.status != deliver.Sent && got.status != deliver.Unconfirmed:
				t.Errorf("%s: %s message %s to %s is %s, want sent", when, want.channel, id, want.recipient, got.status)
			}
		}
		received := tally(r, box)
		for id, n := range received {
			row, ok := box[id]
			switch {
			case !ok:
				t.Errorf("%s: received %d times, not in the outbox: %s", when, n, id)
			case n > 1:
				t.Errorf("%s: %s message %s to %s received %d times", when, row.channel, id, row.recipient, n)
			}
		}
		for id, row := range box {
			if row.status == deliver.Sent && received[id] != 1 {
				t.Errorf("%s: %s message %s to %s is sent but was received %d times", when, row.channel, id, row.recipient, received[id])
			}
		}
	}
	if len(seen) < 2 {
		t.Errorf("the landing changes never changed the messages a clean build queues: the nights proved nothing")
	}
}
