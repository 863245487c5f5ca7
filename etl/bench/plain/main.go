// Command etl-plain is the benchmark's honest baseline for the
// WhatsApp-notification family: the job a data engineer would write by
// hand in plain DuckDB, with no runner around it (plain.sql). It loads the
// landing folder's notification files into a table of a DuckDB file, keeps
// one row per message and writes notification_detail (hive partitions by
// day), notifications_per_minute, notification_dashboard and daily_billing
// as Parquet (zstd) and CSV.
//
//	etl-plain -landing DIR -out DIR [-db FILE] [-memory-limit 5GB -temp-dir DIR] [-quiet]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	var o Options
	var quiet bool
	flag.StringVar(&o.Landing, "landing", "", "landing folder: reads notifications/*.jsonl and *.jsonl.gz under it")
	flag.StringVar(&o.Out, "out", "", "output folder")
	flag.StringVar(&o.DB, "db", "", "DuckDB file to create (an existing one is replaced); default: a temporary file, removed at the end")
	flag.StringVar(&o.MemoryLimit, "memory-limit", "", "DuckDB memory_limit, such as 5GB (default: DuckDB's)")
	flag.StringVar(&o.TempDir, "temp-dir", "", "DuckDB temp_directory, where it spills (default: DuckDB's)")
	flag.BoolVar(&quiet, "quiet", false, "print only the summary line, not each statement's time")
	flag.Parse()
	if o.Landing == "" || o.Out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if !quiet {
		o.Log = os.Stdout
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := Run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etl-plain:", err)
		os.Exit(1)
	}
	printSummary(os.Stdout, s)
}

func printSummary(w io.Writer, s Summary) {
	fmt.Fprintf(w, "etl-plain: %d files, %d valid events, %d messages, %d customer-minutes, %d customer-days; wall=%.2fs\n",
		s.Files, s.Events, s.Messages, s.PerMinute, s.Dashboards, s.Wall.Seconds())
}
