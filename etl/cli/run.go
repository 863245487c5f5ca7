package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/mattn/go-isatty"
	ucli "github.com/urfave/cli/v2"

	"etlrunner/etl/plan"
	"etlrunner/etl/report"
	"etlrunner/etl/runner"
	"etlrunner/etl/warehouse"
)

var (
	buildKinds = map[plan.Kind]bool{plan.SeedNode: true, plan.ModelNode: true, plan.TestNode: true}
	runKinds   = map[plan.Kind]bool{plan.ModelNode: true}
	seedKinds  = map[plan.Kind]bool{plan.SeedNode: true}
	testKinds  = map[plan.Kind]bool{plan.TestNode: true}
)

// runCommand builds build, run, seed and test: the commands that execute
// part of the graph.
func runCommand(name, usage string, kinds map[plan.Kind]bool, exports bool) *ucli.Command {
	return &ucli.Command{
		Name:  name,
		Usage: usage,
		Flags: flags(projectFlags(), selectFlags(), runFlags()),
		Action: func(c *ucli.Context) error {
			format := c.String("log-format")
			if format != "text" && format != "json" {
				return fmt.Errorf("--log-format must be text or json, got %q", format)
			}
			live, err := showProgress(c)
			if err != nil {
				return err
			}
			l, selected, err := loadSelected(c)
			if err != nil {
				return err
			}
			if kinds[plan.SeedNode] {
				if err := l.checkSeeds(selected); err != nil {
					return err
				}
			}
			threads := c.Int("threads")
			if threads == 0 {
				threads = l.proj.Threads
			}
			if threads == 0 {
				threads = 1
			}
			channels, err := runner.Channels(c.Context, l.plan)
			if err != nil {
				return err
			}
			log := logger(c)
			sess, err := l.open(c.Context, name, log, c.String("query-log") != "")
			if err != nil {
				return err
			}
			defer sess.close()
			var rep report.Reporter = report.NewText(c.App.Writer)
			switch {
			case log != nil:
				rep = report.NewJSON(log)
			case live:
				bars := report.NewLive(c.App.Writer)
				defer bars.Close() // the run may end before its Finish
				rep = bars
			}
			out, err := runner.Execute(c.Context, l.plan, sess.wh, runner.Options{
				Command: name, Dir: l.dir, Kinds: kinds, Selected: selected, Threads: threads,
				FullRefresh: c.Bool("full-refresh"), Export: exports, Reporter: rep, Logger: log, Leftovers: sess.swept, Channels: channels, NoSend: c.Bool("no-send"),
				Args: map[string]any{"select": c.StringSlice("select"), "exclude": c.StringSlice("exclude"),
					"vars": c.String("vars"), "full_refresh": c.Bool("full-refresh"), "threads": threads},
			})
			if out == nil {
				return err
			}
			if path := c.String("query-log"); path != "" {
				if qerr := warehouse.WriteQueryLog(context.WithoutCancel(c.Context), sess.wh.DB, path); qerr != nil && err == nil {
					err = qerr
				}
			}
			if out.Failed || err != nil {
				return &failedError{err: err}
			}
			if out.DeliveriesFailed {
				return &deliveryError{}
			}
			return nil
		},
	}
}

// showProgress decides from --progress whether the run draws live lines:
// in auto, only when stdout is a terminal (not a pipe or a file, where a
// scheduler's log must stay plain lines) that understands cursor moves.
func showProgress(c *ucli.Context) (bool, error) {
	mode, text := c.String("progress"), c.String("log-format") == "text"
	switch mode {
	case "never":
		return false, nil
	case "always":
		if !text {
			return false, fmt.Errorf("--progress always draws over text lines; it cannot go with --log-format %s", c.String("log-format"))
		}
		return true, nil
	case "auto":
		return text && isTerminal(c.App.Writer) && os.Getenv("TERM") != "dumb", nil
	}
	return false, fmt.Errorf("--progress must be auto, always or never, got %q", mode)
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
