// Package deliver gets what models say must reach people (alerts, digests)
// to them once. Channels are rendered from etl.yml (Configure), messages
// from a model's rows through its delivery's templates (Compose). A
// message is first written to the warehouse's outbox (etl_meta.outbox) in
// the run that builds its model, keyed by what it is about, so a rerun or a
// full refresh never makes it twice; then it is sent and marked sent
// (Deliver). A send that fails is retried with backoff a bounded number of
// times. A run that dies between starting a send and marking it leaves the
// message "sending": it may have gone out, so the next pass marks it
// unconfirmed, reports it and never sends it again by itself.
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
	// Unconfirmed: a run died while sending it; it may have gone out.
	Unconfirmed = "unconfirmed"
	// Cancelled: its row left the model before it was sent.
	Cancelled = "cancelled"
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

// To is the message once per recipient.
func (m Message) To(recipients []string) []Message {
	out := make([]Message, len(recipients))
	for i, r := range recipients {
		out[i] = m
		out[i].Recipient = r
	}
	return out
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

// Retire cancels the pending messages of one delivery (its outbox name and
// channel) whose key is no longer among keys, a query of the keys that
// still call for a message: the row left the model, or a newer digest
// replaced it, before it was sent.
func Retire(ctx context.Context, q warehouse.Querier, model, channel, keys string) (int, error) {
	res, err := q.ExecContext(ctx, "UPDATE "+Table+` SET status = ?, last_error = 'its row left the model before it was sent'
		WHERE model = ? AND channel = ? AND status = ? AND row_key NOT IN (`+keys+")", Cancelled, model, channel, Pending)
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Entry is one message of the outbox as etl deliveries lists it.
type Entry struct {
	ID, Model, Key, Channel, Recipient, Subject, Status, LastError string
	Attempts                                                       int
	CreatedAt, NextAttemptAt                                       time.Time
	SentAt                                                         *time.Time
}

// List returns the outbox's messages, newest first: all, or those with
// the status, of the model (outbox name), at most limit.
func List(ctx context.Context, q warehouse.Querier, status, model string, limit int) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT message_id, model, row_key, channel, recipient, coalesce(subject, ''), status,
		coalesce(last_error, ''), attempts, created_at, next_attempt_at, sent_at FROM `+Table+`
		WHERE (? = '' OR status = ?) AND (? = '' OR model = ?) ORDER BY created_at DESC, message_id LIMIT ?`,
		status, status, model, model, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.Model, &e.Key, &e.Channel, &e.Recipient, &e.Subject, &e.Status,
			&e.LastError, &e.Attempts, &e.CreatedAt, &e.NextAttemptAt, &e.SentAt); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Counts tallies the outbox by status.
func Counts(ctx context.Context, q warehouse.Querier) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, "SELECT status, count(*) FROM "+Table+" GROUP BY status")
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// Requeue makes the message whose id starts with prefix pending again,
// its attempts reset, and returns its full id: etl deliveries resend.
func Requeue(ctx context.Context, q warehouse.Querier, prefix string, now time.Time) (string, error) {
	var ids []string
	rows, err := q.QueryContext(ctx, "SELECT message_id FROM "+Table+" WHERE starts_with(message_id, ?) ORDER BY 1 LIMIT 2", prefix)
	if err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return "", err
		}
		ids = append(ids, id)
	}
	rows.Close()
	switch {
	case prefix == "" || len(ids) == 0:
		return "", fmt.Errorf("no message %q in the outbox (etl deliveries lists them)", prefix)
	case len(ids) > 1:
		return "", fmt.Errorf("more than one message starts with %q: give more of its id", prefix)
	}
	_, err = q.ExecContext(ctx, "UPDATE "+Table+" SET status = ?, attempts = 0, last_error = NULL, next_attempt_at = CAST(? AS TIMESTAMPTZ) WHERE message_id = ?",
		Pending, now.UTC().Format(time.RFC3339Nano), ids[0])
	if err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	return ids[0], nil
}

// Status is a message's status in the outbox, "" when it is not there.
func Status(ctx context.Context, q warehouse.Querier, id string) (string, error) {
	var s string
	err := q.QueryRowContext(ctx, "SELECT coalesce(max(status), '') FROM "+Table+" WHERE message_id = ?", id).Scan(&s)
	if err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	return s, nil
}

// Cancel drops pending messages so they are never sent: the one whose id
// starts with prefix, or every one of model (an outbox name), or all when
// both are empty. It returns how many it cancelled.
func Cancel(ctx context.Context, q warehouse.Querier, prefix, model string) (int, error) {
	res, err := q.ExecContext(ctx, "UPDATE "+Table+` SET status = ?, last_error = 'cancelled by etl deliveries cancel'
		WHERE status = ? AND starts_with(message_id, ?) AND (? = '' OR model = ?)`, Cancelled, Pending, prefix, model, model)
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
