package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"

	"etlrunner/etl/deliver"
	"etlrunner/etl/report"
	"etlrunner/etl/runner"
	"etlrunner/etl/warehouse"
)

// deliveriesCommand lists the outbox, sends what is due and resends one.
func deliveriesCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "deliveries",
		Usage: "list the messages of the outbox (pending, sent, failed), send what is due, resend one",
		Flags: flags(projectFlags(), listFlags()),
		Action: func(c *ucli.Context) error {
			return listDeliveries(c)
		},
		Subcommands: []*ucli.Command{
			{
				Name:   "list",
				Usage:  "list the outbox's messages, newest first",
				Flags:  flags(projectFlags(), listFlags()),
				Action: listDeliveries,
			},
			{
				Name:  "send",
				Usage: "send the pending messages that are due (etl build does this after publishing)",
				Flags: flags(projectFlags(), []ucli.Flag{
					&ucli.BoolFlag{Name: "dry-run", Usage: "render every message the deliveries call for now, send nothing, change nothing"},
				}),
				Action: sendDeliveries,
			},
			{
				Name:      "cancel",
				Usage:     "drop pending messages so they are never sent: one (by id), a model's (--model) or all (--all)",
				ArgsUsage: "[MESSAGE_ID]",
				Flags: flags(projectFlags(), []ucli.Flag{
					&ucli.StringFlag{Name: "model", Usage: "every pending message of this model (or on_run_end name)"},
					&ucli.BoolFlag{Name: "all", Usage: "every pending message"},
				}),
				Action: cancelDeliveries,
			},
			{
				Name:      "resend",
				Usage:     "send one message again, whatever its status (sent, failed, unconfirmed, cancelled)",
				ArgsUsage: "MESSAGE_ID (or the start of it)",
				Flags:     projectFlags(),
				Action:    resendDelivery,
			},
		},
	}
}

func listFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "status", Usage: "only pending, sending, unconfirmed, sent, failed or cancelled messages"},
		&ucli.StringFlag{Name: "model", Usage: "only the messages of this model (or on_run_end name)"},
		&ucli.IntFlag{Name: "limit", Value: 50, Usage: "messages to list"},
	}
}

func listDeliveries(c *ucli.Context) error {
	sess, err := openOutbox(c)
	if err != nil {
		return err
	}
	defer sess.close()
	counts, err := deliver.Counts(c.Context, sess.wh.DB)
	if err != nil {
		return err
	}
	list, err := deliver.List(c.Context, sess.wh.DB, c.String("status"), c.String("model"), c.Int("limit"))
	if err != nil {
		return err
	}
	var tally []string
	for _, s := range []string{deliver.Pending, deliver.Sending, deliver.Unconfirmed, deliver.Sent, deliver.Failed, deliver.Cancelled} {
		tally = append(tally, fmt.Sprintf("%d %s", counts[s], s))
	}
	fmt.Fprintf(c.App.Writer, "Outbox: %s.\n", strings.Join(tally, ", "))
	if len(list) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tCHANNEL\tRECIPIENT\tMODEL\tROW\tATTEMPTS\tCREATED\tSENT OR NEXT TRY\tLAST ERROR")
	for _, e := range list {
		when := ""
		switch {
		case e.SentAt != nil:
			when = stamp(*e.SentAt)
		case e.Status == deliver.Pending:
			when = "next " + stamp(e.NextAttemptAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", e.ID[:12], e.Status, e.Channel, e.Recipient, e.Model,
			e.Key, e.Attempts, stamp(e.CreatedAt), when, strings.Join(strings.Fields(e.LastError), " "))
	}
	return tw.Flush()
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

func sendDeliveries(c *ucli.Context) error {
	l, sess, channels, err := openDeliveries(c)
	if err != nil {
		return err
	}
	defer sess.close()
	if c.Bool("dry-run") {
		return dryRun(c.Context, c.App.Writer, l, sess, channels)
	}
	return deliverNow(c, l, sess, channels, nil)
}

func resendDelivery(c *ucli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("resend needs the id of one message (etl deliveries lists them)")
	}
	l, sess, channels, err := openDeliveries(c)
	if err != nil {
		return err
	}
	defer sess.close()
	id, err := deliver.Requeue(c.Context, sess.wh.DB, c.Args().First(), time.Now())
	if err != nil {
		return err
	}
	return deliverNow(c, l, sess, channels, []string{id})
}

func cancelDeliveries(c *ucli.Context) error {
	id, model := c.Args().First(), c.String("model")
	if c.NArg() > 1 || (id == "" && model == "" && !c.Bool("all")) || (c.Bool("all") && (id != "" || model != "")) {
		return fmt.Errorf("cancel takes one message id, --model or --all")
	}
	sess, err := openOutbox(c)
	if err != nil {
		return err
	}
	defer sess.close()
	n, err := deliver.Cancel(c.Context, sess.wh.DB, id, model)
	if err != nil {
		return err
	}
	if n == 0 && id != "" {
		return fmt.Errorf("no pending message %q (etl deliveries --status pending lists them)", id)
	}
	fmt.Fprintf(c.App.Writer, "Cancelled %d pending messages; they will not be sent.\n", n)
	return nil
}

// openOutbox opens the warehouse for the commands that only read or
// change the outbox: they need the project file, not a compiled plan.
func openOutbox(c *ucli.Context) (*session, error) {
	dir, proj, err := loadSettings(c)
	if err != nil {
		return nil, err
	}
	return openWarehouse(c.Context, dir, &proj.Settings, "deliveries", nil, false)
}

// openDeliveries compiles the project, renders its channels and opens the
// warehouse, for the commands that send.
func openDeliveries(c *ucli.Context) (*loaded, *session, map[string]deliver.Channel, error) {
	l, err := load(c)
	if err != nil {
		return nil, nil, nil, err
	}
	channels, err := runner.Channels(c.Context, l.plan)
	if err != nil {
		return nil, nil, nil, err
	}
	sess, err := l.open(c.Context, "deliveries", nil, false)
	return l, sess, channels, err
}

// deliverNow sends what is due (only the messages given, if any) and
// prints what happened; failed sends exit 3 when the project says
// on_failure: error.
func deliverNow(c *ucli.Context, l *loaded, sess *session, channels map[string]deliver.Channel, only []string) error {
	rep, err := runner.Send(c.Context, sess.wh.DB, &l.proj.Delivery, channels, only)
	if err != nil {
		return err
	}
	report.NewText(c.App.Writer).Deliveries(rep)
	if rep.Status == "error" {
		return &deliveryError{}
	}
	return nil
}

// dryRun prints every message the project's deliveries call for with the
// warehouse's rows as they are, and whether the outbox has it already.
func dryRun(ctx context.Context, w io.Writer, l *loaded, sess *session, channels map[string]deliver.Channel) error {
	for _, d := range l.plan.Deliveries {
		for _, m := range d.Models {
			kind, err := warehouse.RelationKind(ctx, sess.wh.DB, m.Relation.Schema, m.Relation.Name)
			if err != nil {
				return err
			}
			if kind == "" {
				return fmt.Errorf("%s: model %s has not been built yet (run etl build)", d.Label(), m.Name)
			}
		}
		ch := channels[d.Channel]
		if len(ch.To) == 0 {
			ch.To = []string{"(the channel's recipients: not configured)"}
		}
		msgs, err := deliver.Compose(ctx, sess.wh.DB, l.plan, d, ch, true)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "== %s (%s, one per %s): %d messages\n", d.Label(), d.File, d.Per, len(msgs))
		for _, m := range msgs {
			status, err := deliver.Status(ctx, sess.wh.DB, m.ID())
			if err != nil {
				return err
			}
			if status == "" {
				status = "new: the next build queues it"
			}
			fmt.Fprintf(w, "-- %s to %s, row %s [%s]\n", m.ID()[:12], m.Recipient, m.Key, status)
			if m.Subject != "" {
				fmt.Fprintf(w, "Subject: %s\n", m.Subject)
			}
			fmt.Fprintf(w, "%s\n", strings.TrimRight(m.Body, "\n"))
		}
	}
	fmt.Fprintln(w, "Dry run: nothing was sent or queued.")
	return nil
}

// deliveryError means the run (or send) happened but messages did not go
// out, and the project asked for that to fail the command.
type deliveryError struct{}

func (*deliveryError) Error() string { return "deliveries failed" }
