package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlainSummary(t *testing.T) {
	log := filepath.Join(t.TempDir(), "plain.log")
	text := `# bin/etl-plain -landing x -out y
    0.00s  SET TimeZone = 'UTC';
   36.46s  CREATE OR REPLACE TABLE events AS
   39.64s  CREATE OR REPLACE TABLE messages AS
   12.26s  COPY messages TO '{{out}}/notification_detail/csv'
etl-plain: 143 files, 9993965 valid events, 9893395 messages, 5764 customer-minutes, 80 customer-days; wall=127.48s
`
	if err := os.WriteFile(log, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	summary, slowest := plainSummary(log, 2)
	if !strings.HasPrefix(summary, "etl-plain: 143 files") {
		t.Errorf("summary %q", summary)
	}
	want := "39.64s `CREATE OR REPLACE TABLE messages AS`; 36.46s `CREATE OR REPLACE TABLE events AS`"
	if got := strings.Join(slowest, "; "); got != want {
		t.Errorf("slowest %q, want %q", got, want)
	}
}

func TestMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	yml := "name: p\nmemory_limit: 5GB\nvars: {seeds_dir: seeds}\n"
	if err := os.WriteFile(filepath.Join(dir, "etl.yml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := memoryLimit(dir); err != nil || got != "5GB" {
		t.Errorf("memory limit %q (%v), want 5GB", got, err)
	}
}
