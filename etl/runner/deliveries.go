package runner

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"etlrunner/etl/deliver"
	"etlrunner/etl/materialize"
	"etlrunner/etl/plan"
	"etlrunner/etl/project"
	"etlrunner/etl/report"
	"etlrunner/etl/warehouse"
)

// DeliveryNode is the kind of the nodes that queue a delivery's messages.
const DeliveryNode plan.Kind = "delivery"

// Channels renders the project's channels (their secrets come from the
// environment through env_var()).
func Channels(ctx context.Context, pl *plan.Plan) (map[string]deliver.Channel, error) {
	out := map[string]deliver.Channel{}
	s := &pl.Project.Delivery
	for name, c := range s.Channels {
		ch, err := deliver.Configure(c, func(text string) (string, error) { return pl.RenderSetting(ctx, text) }, s.TimeoutDuration())
		if err != nil {
			return nil, err
		}
		out[name] = ch
	}
	return out, nil
}

// senders are the senders of the configured channels and every secret
// their settings hold.
func senders(channels map[string]deliver.Channel) (map[string]deliver.Sender, []string) {
	senders := map[string]deliver.Sender{}
	var secrets []string
	for name, ch := range channels {
		secrets = append(secrets, ch.Secrets...)
		if ch.Configured() {
			senders[name] = ch.Sender
		}
	}
	return senders, secrets
}

// addDeliveries adds one node per delivery whose models this build runs,
// after those models and their tests: a message is queued only about rows
// that passed their tests.
func (r *runner) addDeliveries(keep map[string]bool, testsOf map[string][]string, connect func(from, to string)) {
	if !r.opts.Export {
		return
	}
	for _, d := range r.pl.Deliveries {
		var deps []string
		for _, m := range d.Models {
			if keep[m.ID] {
				deps = append(deps, m.ID)
				deps = append(deps, testsOf[m.ID]...)
			}
		}
		if len(deps) == 0 {
			continue
		}
		r.deliveries[d.ID] = d
		for _, dep := range deps {
			connect(d.ID, dep)
		}
	}
}

// runDelivery queues the messages a delivery's models call for, in one
// transaction with the record that it did: pending messages whose rows
// are gone are cancelled, messages already in the outbox (sent or not)
// are left as they are, so a rerun or a full refresh queues nothing twice.
func (r *runner) runDelivery(ctx context.Context, d *plan.Delivery, res *report.NodeResult) error {
	ch, ok := r.channels[d.Channel]
	if !ok || !ch.Configured() {
		res.Message = "channel " + d.Channel + " not configured, nothing queued"
		return nil
	}
	spec, err := json.Marshal(struct {
		D   *project.Delivery
		Key []string
	}{d.Delivery, d.Key})
	if err != nil {
		return err
	}
	parts := []string{d.ID, string(spec), ch.Type}
	for _, m := range d.Models {
		v, err := r.version(ctx, m.ID)
		if err != nil {
			return err
		}
		parts = append(parts, m.ID+"="+v)
	}
	fp := hashOf(parts...)
	if r.upToDate(d.ID, fp) {
		r.reuse(d.ID, fp)
		res.Message = "up to date"
		return nil
	}
	conn, err := r.wh.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var queued, cancelled int
	err = materialize.InTx(ctx, conn, func() error {
		msgs, err := deliver.Compose(ctx, conn, r.pl, d, ch, false)
		if err != nil {
			return err
		}
		if cancelled, err = deliver.Retire(ctx, conn, d.Outbox(), d.Channel, currentKeys(d, msgs)); err != nil {
			return err
		}
		if queued, err = deliver.Enqueue(ctx, conn, r.runID, time.Now(), msgs); err != nil {
			return err
		}
		return writeState(ctx, conn, map[string]string{d.ID: fp}, r.runID)
	})
	r.built(d.ID, fp, err == nil)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.queued += queued
	r.cancelled += cancelled
	r.mu.Unlock()
	res.Rows = int64(queued)
	res.Message = fmt.Sprintf("%d queued", queued)
	if cancelled > 0 {
		res.Message += fmt.Sprintf(", %d cancelled (their rows are gone)", cancelled)
	}
	return nil
}

// currentKeys is a query of the keys that still call for a message: every
// row's of a per-row delivery, the latest digest's of a digest.
func currentKeys(d *plan.Delivery, msgs []deliver.Message) string {
	if d.Per == project.PerRow {
		return "SELECT " + deliver.KeyExpr(d.Key) + " FROM " + d.Models[0].Relation.String()
	}
	keys := []string{"''"} // no key is empty; a NULL would make NOT IN never true
	for _, m := range msgs {
		keys = append(keys, warehouse.QuoteString(m.Key))
	}
	return "SELECT unnest([" + strings.Join(keys, ", ") + "])"
}

// sendPass sends what the outbox holds once a run has published its
// outputs, and says what happened (nil when the project has no
// deliveries).
func (r *runner) sendPass(ctx context.Context) *report.Deliveries {
	if !r.hasDeliveries() {
		return nil
	}
	rep, _ := Send(ctx, r.wh.DB, &r.pl.Project.Delivery, r.channels, nil) // its error is one of rep.Errors
	rep.Queued, rep.Cancelled = r.queued, r.cancelled
	return rep
}

// Send sends the outbox's due messages (only those of the ids given, if
// any) through the configured channels and reports what happened: the
// status is warn when a send failed or a dead run left a message
// unconfirmed, error when a send failed and the project says on_failure:
// error. An error of the pass itself is returned and is also one of the
// report's errors.
func Send(ctx context.Context, db *sql.DB, s *project.Deliveries, channels map[string]deliver.Channel, only []string) (*report.Deliveries, error) {
	send, secrets := senders(channels)
	got, err := deliver.Deliver(ctx, db, send, deliver.Options{MaxAttempts: s.MaxAttempts, Backoff: s.BackoffDuration(), Secrets: secrets, Only: only})
	rep := &report.Deliveries{Sent: got.Sent, Retrying: got.Retrying, Failed: got.Failed, Unconfirmed: got.Unconfirmed,
		Waiting: got.Waiting, Errors: got.Errors, NotConfigured: NotConfigured(channels), Status: "ok"}
	if err != nil {
		rep.Errors = append(rep.Errors, "delivery pass: "+err.Error())
	}
	if len(rep.Errors) > 0 || rep.Unconfirmed > 0 {
		rep.Status = "warn"
		if s.OnFailure == "error" && len(rep.Errors) > 0 {
			rep.Status = "error"
		}
	}
	return rep, err
}

// NotConfigured names the channels without their required settings, and
// what is missing, in name order.
func NotConfigured(channels map[string]deliver.Channel) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(channels)) {
		if ch := channels[name]; !ch.Configured() {
			out = append(out, name+": "+ch.Missing)
		}
	}
	return out
}

// hasDeliveries reports whether the project sends anything.
func (r *runner) hasDeliveries() bool {
	return len(r.pl.Deliveries) > 0 || r.pl.Project.Delivery.OnRunFailure != nil
}

// deliveryReport starts the report of a run's deliveries, or nil when the
// project has none.
func (r *runner) deliveryReport() *report.Deliveries {
	if !r.hasDeliveries() {
		return nil
	}
	return &report.Deliveries{Queued: r.queued, Cancelled: r.cancelled, NotConfigured: NotConfigured(r.channels)}
}

// failureNotice sends the project's on_run_failure notice about a failed
// run, through the outbox like every message.
func (r *runner) failureNotice(ctx context.Context, results []report.NodeResult, runErr error) *report.Deliveries {
	rep := r.deliveryReport()
	d := r.pl.Project.Delivery.OnRunFailure
	if rep == nil || d == nil {
		return rep
	}
	rep.Status = "ok"
	ch, ok := r.channels[d.Channel]
	if !ok || !ch.Configured() {
		return rep
	}
	var errs []map[string]any
	for _, res := range results {
		if res.Status == report.Error || res.Status == report.Fail {
			errs = append(errs, map[string]any{"label": res.Label, "file": res.File, "message": res.Message})
		}
	}
	if runErr != nil {
		errs = append(errs, map[string]any{"label": "run", "file": "", "message": runErr.Error()})
	}
	notice := *d
	if notice.Body == "" {
		notice.Body, notice.BodyAt = defaultNotice[ch.Type], 0
	}
	if notice.Subject == "" && ch.Type == project.Email {
		notice.Subject = "etl {{ command }} on {{ project }} failed (run {{ run_id }})"
	}
	locals := map[string]any{"run_id": r.runID, "project": r.pl.Project.Name, "command": r.opts.Command, "errors": errs}
	m := deliver.Message{Model: "run_failure", Key: r.runID, Channel: d.Channel}
	fail := func(err error) *report.Deliveries {
		rep.Status = "warn"
		rep.Errors = append(rep.Errors, "on_run_failure: "+err.Error())
		return rep
	}
	if err := deliver.RenderInto(ctx, r.pl, &notice, ch, locals, map[string]any{"run_id": r.runID, "errors": errs}, &m); err != nil {
		return fail(err)
	}
	to, err := deliver.Recipients(ctx, r.pl, d, ch, nil)
	if err != nil {
		return fail(err)
	}
	msgs := m.To(to)
	var ids []string
	for _, msg := range msgs {
		ids = append(ids, msg.ID())
	}
	if _, err := deliver.Enqueue(ctx, r.wh.DB, r.runID, time.Now(), msgs); err != nil {
		return fail(err)
	}
	sent, err := Send(ctx, r.wh.DB, &r.pl.Project.Delivery, r.channels, ids)
	if err != nil {
		return fail(err)
	}
	sent.Queued, sent.Cancelled = rep.Queued+len(msgs), rep.Cancelled
	// The run failed already: a notice that did not go out is a warning,
	// and a message left unconfirmed is reported by the next send pass.
	sent.Status = "ok"
	if len(sent.Errors) > 0 {
		sent.Status = "warn"
	}
	return sent
}

// defaultNotice is the run-failure notice's body when on_run_failure gives
// none, per channel type (Telegram's literal text is MarkdownV2).
var defaultNotice = map[string]string{
	project.Email: "etl {{ command }} on project {{ project }} failed (run {{ run_id }}).\n" +
		"{% for e in errors %}- {{ e.label }}{% if e.file %} ({{ e.file }}){% endif %}: {{ e.message }}\n{% endfor %}" +
		"The previous outputs are unchanged; run_results.json has the details.\n",
	project.Webhook: "etl {{ command }} on project {{ project }} failed (run {{ run_id }}): " +
		"{% for e in errors %}{{ e.label }}: {{ e.message }}{% if not loop.last %}; {% endif %}{% endfor %}",
	project.Telegram: "*etl {{ command }} failed* on project {{ project }} \\(run {{ run_id }}\\)\n" +
		"{% for e in errors %}\\- {{ e.label }}: {{ e.message }}\n{% endfor %}",
}
