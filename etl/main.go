// Command etl runs a dbt-style ETL project on embedded DuckDB.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"etlrunner/etl/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
