package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"etlrunner/etl/cli"
	"etlrunner/etl/generate"
)

// copyProject copies the project's files (not its seeds) into a temporary
// folder, so a build there leaves the repository alone.
func copyProject(t *testing.T) string {
	t.Helper()
	dir, root := t.TempDir(), filepath.Join("..", "..", "..")
	for _, p := range []string{"models", "sql", "tests"} {
		if err := os.CopyFS(filepath.Join(dir, p), os.DirFS(filepath.Join(root, p))); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(root, "etl.yml"))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "etl.yml"), data, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// The runner's notification outputs and etl-plain's hold the same rows:
// the baseline does the same job, and the runner's models answer it as a
// hand-written script would.
func TestRunnerAgreesWithPlain(t *testing.T) {
	generated := t.TempDir()
	if err := generate.Run(context.Background(), "notifications", generate.Options{Rows: 50_000, Seed: 3, Out: generated}); err != nil {
		t.Fatal(err)
	}
	seeds, err := filepath.Abs(filepath.Join("..", "..", "..", "seeds"))
	if err != nil {
		t.Fatal(err)
	}
	for name, landing := range map[string]string{"seeds": seeds, "generated": generated} {
		t.Run(name, func(t *testing.T) {
			dir := copyProject(t)
			var out bytes.Buffer
			args := []string{"etl", "build", "--project-dir", dir, "--select", "+tag:notifications", "--vars", "{seeds_dir: '" + landing + "'}"}
			if code := cli.Run(context.Background(), args, &out, &out); code != 0 {
				t.Fatalf("etl build: exit %d\n%s", code, out.String())
			}
			plainOut := t.TempDir()
			if _, err := Run(context.Background(), Options{Landing: landing, Out: plainOut}); err != nil {
				t.Fatal(err)
			}
			db := outputs(t)
			runner := filepath.Join(dir, "output")
			for _, o := range []struct{ runner, plain, cols string }{
				{"notification_detail/parquet/*/*.parquet", "notification_detail/parquet/*/*.parquet", "day, customer_id, customer_name, message_id, channel, payload, event_datetime"},
				{"notifications_per_minute.parquet", "notifications_per_minute.parquet", "customer_id, day, minute, notifications, whatsapp_notifications"},
				{"notification_dashboard.parquet", "notification_dashboard.parquet", "customer_id, day, whatsapp_notifications, last_update"},
				{"daily_billing.parquet", "daily_billing.parquet", "customer_id, day, whatsapp_notifications, unit_price, amount, currency"},
			} {
				read := func(root, glob string) []string {
					return lines(t, db, "SELECT "+o.cols+" FROM read_parquet('"+filepath.Join(root, glob)+"', hive_partitioning = true)")
				}
				got, want := read(runner, o.runner), read(plainOut, o.plain)
				if len(want) == 0 || !slices.Equal(got, want) {
					t.Errorf("%s: the runner has %d rows, etl-plain %d, or they differ", o.runner, len(got), len(want))
				}
			}
		})
	}
}
