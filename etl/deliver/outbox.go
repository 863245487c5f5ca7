// Package deliver gets what models say must reach people (alerts, digests)
// to them once. A message is first written to the warehouse's outbox
// (etl_meta.outbox) in the run that builds its model, keyed by what it is
// about, so a rerun or a full refresh never makes it twice; then it is
// sent and marked sent. A send that fails is retried with backoff a
// bounded number of times. A run that dies between starting a send and
// marking it leaves the message "sending": it may have gone out, so it is
// reported and never sent again by itself.
package deliver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"etlrunner/etl/warehouse"
)

// Table is the outbox (created by the project's migration 00012).
const Table = "etl_meta.outbox"

// Statuses of a message.
const (
	Pending = "pending"
	Sending = "sending"
	Sent    = "sent"
	Failed  = "failed"
)

// Message is one thing to deliver: to one recipient on one channel, about
// one row (Key) of one model.
type Message struct {
	Model     string
	Key       string
	Channel   string
	Recipient string
	Subject   string
	Body      string
}

// ID names the message by what it is about, not by its text: the same row
// of the same model to the same recipient on the same channel is one
// message, whatever a later run renders.
func (m Message) ID() string {
	h := sha256.Sum256([]byte(strings.Join([]string{m.Model, m.Key, m.Channel, m.Recipient}, "\x00")))
	return hex.EncodeToString(h[:16])
}

// Enqueue writes msgs to the outbox in the caller's transaction, if any. A
// message already there is left as it is, sent or not. It returns how many
// were new.
func Enqueue(ctx context.Context, q warehouse.Querier, runID string, now time.Time, msgs []Message) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	at := warehouse.QuoteString(now.UTC().Format(time.RFC3339Nano))
	var rows []string
	seen := map[string]bool{}
	for _, m := range msgs {
		if seen[m.ID()] {
			continue
		}
		seen[m.ID()] = true
		rows = append(rows, fmt.Sprintf("(%s, %s, %s, %s, %s, %s, %s, '%s', 0, NULL, CAST(%s AS TIMESTAMPTZ), %s, CAST(%s AS TIMESTAMPTZ), NULL)",
			warehouse.QuoteString(m.ID()), warehouse.QuoteString(m.Model), warehouse.QuoteString(m.Key), warehouse.QuoteString(m.Channel),
			warehouse.QuoteString(m.Recipient), warehouse.QuoteString(m.Subject), warehouse.QuoteString(m.Body), Pending,
			at, warehouse.QuoteString(runID), at))
	}
	res, err := q.ExecContext(ctx, "INSERT INTO "+Table+" VALUES "+strings.Join(rows, ", ")+" ON CONFLICT (message_id) DO NOTHING")
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
