package deliver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"etlrunner/etl/warehouse"
)

// Sender sends a message on one channel; id is its outbox id, for the
// channel's own de-duplication where it has one (an e-mail's Message-ID).
type Sender interface {
	Send(ctx context.Context, m Message, id string) error
}

// Options bound the retries of failed sends.
type Options struct {
	MaxAttempts int           // sends tried before a message is failed (default 5)
	Backoff     time.Duration // wait after the first failure, doubled after each (default 1 minute)
	Now         func() time.Time
	// Only, when set, limits the pass to these message ids.
	Only []string
	// Secrets are hidden from every error the pass stores or reports.
	Secrets []string
}

func (o Options) withDefaults() Options {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Report says what one delivery pass did.
type Report struct {
	Sent     int
	Retrying int // failed this time, tried again later
	Failed   int // failed for good this time
	// Unconfirmed are messages a dead run began to send and never marked:
	// they may have gone out, so they are not sent again by themselves
	// (etl deliveries resend sends one again).
	Unconfirmed int
	// Waiting are due messages of channels that are not configured.
	Waiting int
	Errors  []string // one line per failed send: the message and why
}

// Deliver sends every pending message whose time has come, oldest first,
// through the sender of its channel. Each is marked sending (committed)
// before the send and sent after it, so the outbox always says how far a
// message got. A message whose channel has no sender stays pending.
func Deliver(ctx context.Context, db *sql.DB, senders map[string]Sender, opts Options) (Report, error) {
	opts = opts.withDefaults()
	var rep Report
	// The run holds the warehouse lock: a message still "sending" belongs
	// to a run that died mid-send.
	res, err := db.ExecContext(ctx, "UPDATE "+Table+" SET status = ? WHERE status = ?", Unconfirmed, Sending)
	if err != nil {
		return rep, fmt.Errorf("outbox: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil {
		rep.Unconfirmed = int(n)
	}
	due, err := pending(ctx, db, opts.Now(), opts.Only)
	if err != nil {
		return rep, err
	}
	for _, p := range due {
		s, ok := senders[p.msg.Channel]
		if !ok {
			rep.Waiting++
			continue
		}
		if err := mark(ctx, db, p.id, Sending, opts.Now()); err != nil {
			return rep, err
		}
		sendErr := s.Send(ctx, p.msg, p.id)
		if sendErr == nil {
			rep.Sent++
			if err := mark(context.WithoutCancel(ctx), db, p.id, Sent, opts.Now()); err != nil {
				return rep, err
			}
			continue
		}
		if errors.Is(sendErr, context.Canceled) && ctx.Err() != nil {
			// Interrupted: the message goes back to pending untried.
			return rep, mark(context.WithoutCancel(ctx), db, p.id, Pending, opts.Now())
		}
		status, wait := Pending, opts.Backoff<<p.attempts
		if p.attempts+1 >= opts.MaxAttempts {
			status = Failed
			rep.Failed++
		} else {
			rep.Retrying++
		}
		why := redactAll(sendErr.Error(), opts.Secrets)
		line := fmt.Sprintf("%s to %s (%s, row %s): %s", p.msg.Channel, p.msg.Recipient, p.msg.Model, p.msg.Key, why)
		if status == Pending {
			line += fmt.Sprintf("; attempt %d of %d, next after %s", p.attempts+1, opts.MaxAttempts, opts.Now().Add(wait).UTC().Format(time.RFC3339))
		} else {
			line += fmt.Sprintf("; failed for good after %d attempts", p.attempts+1)
		}
		rep.Errors = append(rep.Errors, line)
		if err := fail(context.WithoutCancel(ctx), db, p.id, status, why, opts.Now().Add(wait)); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

type due struct {
	id       string
	msg      Message
	attempts int
}

func pending(ctx context.Context, db *sql.DB, now time.Time, only []string) ([]due, error) {
	query := `SELECT message_id, model, row_key, channel, recipient, coalesce(subject, ''), body, attempts
		FROM ` + Table + ` WHERE status = ? AND next_attempt_at <= CAST(? AS TIMESTAMPTZ)`
	args := []any{Pending, now.UTC().Format(time.RFC3339Nano)}
	if len(only) > 0 {
		ids := make([]string, len(only))
		for i, id := range only {
			ids[i] = warehouse.QuoteString(id)
		}
		query += " AND message_id IN (" + strings.Join(ids, ", ") + ")"
	}
	rows, err := db.QueryContext(ctx, query+" ORDER BY created_at, message_id", args...)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	var out []due
	for rows.Next() {
		var d due
		m := &d.msg
		if err := rows.Scan(&d.id, &m.Model, &m.Key, &m.Channel, &m.Recipient, &m.Subject, &m.Body, &d.attempts); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// mark sets a message's status (and, once sent, when).
func mark(ctx context.Context, db *sql.DB, id, status string, now time.Time) error {
	_, err := db.ExecContext(ctx, "UPDATE "+Table+` SET status = ?,
		sent_at = CASE WHEN ? THEN CAST(? AS TIMESTAMPTZ) ELSE sent_at END WHERE message_id = ?`,
		status, status == Sent, now.UTC().Format(time.RFC3339Nano), id)
	if err != nil {
		return fmt.Errorf("outbox: mark %s %s: %w", id, status, err)
	}
	return nil
}

// fail records a failed send and when to try again.
func fail(ctx context.Context, db *sql.DB, id, status, cause string, next time.Time) error {
	_, err := db.ExecContext(ctx, "UPDATE "+Table+` SET status = ?, attempts = attempts + 1, last_error = ?,
		next_attempt_at = CAST(? AS TIMESTAMPTZ) WHERE message_id = ?`, status, cause, next.UTC().Format(time.RFC3339Nano), id)
	if err != nil {
		return fmt.Errorf("outbox: mark %s %s: %w", id, status, err)
	}
	return nil
}
