// Package cli turns command lines into calls of the library and errors into
// exit codes. It holds no logic of its own beyond that.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailed  = 1 // a model, seed, export or test failed
	ExitProblem = 2 // the project, the command line or the environment is wrong
	// ExitDeliveries: the run succeeded and published its outputs, but
	// messages did not go out and the project says on_failure: error.
	ExitDeliveries = 3
)

// Version of the tool.
const Version = "0.1.0"

// Run executes args and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, interspersed(app, args))
	if err == nil {
		return ExitOK
	}
	var undelivered *deliveryError
	if errors.As(err, &undelivered) {
		return ExitDeliveries
	}
	var failed *failedError
	if errors.As(err, &failed) {
		if failed.err != nil {
			fmt.Fprintf(stderr, "error: %s\n", strings.TrimSpace(failed.err.Error()))
		}
		return ExitFailed
	}
	fmt.Fprintf(stderr, "error: %s\n", strings.TrimSpace(err.Error()))
	return ExitProblem
}

// failedError means the run happened and something in it failed; the
// report already said which nodes, so only a run-level error is printed.
type failedError struct{ err error }

func (*failedError) Error() string { return "run failed" }

func newApp(stdout, stderr io.Writer) *ucli.App {
	return &ucli.App{
		Name:            "etl",
		Usage:           "run a dbt-style ETL project on embedded DuckDB",
		Version:         Version,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		ExitErrHandler:  func(*ucli.Context, error) {}, // Run maps errors to codes
		OnUsageError: func(c *ucli.Context, err error, _ bool) error {
			return fmt.Errorf("%w (see etl %s --help)", err, c.Command.Name)
		},
		Commands: []*ucli.Command{
			runCommand("build", "migrate, load seeds, run models, test them and export outputs, in graph order", buildKinds, true),
			runCommand("run", "run models (no seeds, tests or exports)", runKinds, false),
			runCommand("seed", "load seed files into their landing tables", seedKinds, false),
			runCommand("test", "run data tests", testKinds, false),
			compileCommand(),
			lsCommand(),
			showCommand(),
			migrateCommand(),
			cleanCommand(),
			generateCommand(),
			deliveriesCommand(),
			docsCommand(),
		},
	}
}
