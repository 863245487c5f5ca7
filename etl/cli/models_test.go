package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sqlLines counts a model's lines of SQL: comments and blank lines aside.
func sqlLines(text string) int {
	text = regexp.MustCompile(`(?s)\{#.*?#\}`).ReplaceAllString(text, "")
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
			n++
		}
	}
	return n
}

var (
	cteName  = regexp.MustCompile(`(?i)(?:\bWITH|,)\s+([a-z_][a-z0-9_]*)\s+AS\s*(?:NOT\s+MATERIALIZED\s*|MATERIALIZED\s*)?\(`)
	readFrom = regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+([^\s,;)]+)`)
	// relationName is what a table name looks like; numbers, strings and
	// template calls do not.
	relationName = regexp.MustCompile(`^[A-Za-z_"][A-Za-z0-9_."]*$`)
)

// directReads lists what a model reads by name rather than through ref(),
// source() or one of its own CTEs.
func directReads(text string) []string {
	text = regexp.MustCompile(`--[^\n]*`).ReplaceAllString(text, "")
	ctes := map[string]bool{}
	for _, m := range cteName.FindAllStringSubmatch(text, -1) {
		ctes[strings.ToLower(m[1])] = true
	}
	var out []string
	for _, m := range readFrom.FindAllStringSubmatch(text, -1) {
		what := m[1]
		if !relationName.MatchString(what) || ctes[strings.ToLower(what)] {
			continue // a template call, a subquery, or EXTRACT(year FROM x)-like text
		}
		out = append(out, what)
	}
	return out
}

// Models are what a data engineer edits: every relation through ref() or
// source(); in the incremental families no bookkeeping of their own (hashed
// keys, sequence numbers, load times, bookmarks), which the runner's batch
// config does, and a notification model is a screenful of SQL.
func TestIncrementalModelsStayPlain(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot, "models", "*", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no models: %v", err)
	}
	family := regexp.MustCompile(`^(notification|notifications_|daily_billing|ecommerce_cdc)`)
	seen := 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if reads := directReads(text); len(reads) > 0 {
			t.Errorf("%s reads %q without ref() or source()", name, reads)
		}
		if !family.MatchString(name) {
			continue
		}
		seen++
		if n := sqlLines(text); n > 50 && !strings.HasPrefix(name, "ecommerce_cdc") {
			t.Errorf("%s has %d lines of SQL, want at most 50", name, n)
		}
		for _, banned := range []string{"hash(", "message_seq", "message_key", "watermark", "_loaded_at"} {
			if strings.Contains(text, banned) {
				t.Errorf("%s holds %q: bookkeeping belongs to the runner", name, banned)
			}
		}
		if strings.Contains(name, "watermark") || strings.Contains(name, "bookmark") {
			t.Errorf("%s is a bookmark model", name)
		}
	}
	if seen < 8 {
		t.Errorf("found %d models of the incremental families, want at least 8", seen)
	}
}

func TestDirectReads(t *testing.T) {
	tests := []struct {
		sql  string
		want int
	}{
		{"SELECT * FROM {{ ref('a') }} JOIN {{ source('raw', 'b') }} USING (k)", 0},
		{"WITH x AS (SELECT 1), y AS (SELECT * FROM x) SELECT * FROM y", 0},
		{"SELECT * FROM gold.notification_gold_watermark", 1},
		{"SELECT * FROM (SELECT 1) JOIN silver.t ON true -- FROM comment", 1},
	}
	for _, tt := range tests {
		if got := directReads(tt.sql); len(got) != tt.want {
			t.Errorf("%q: %q, want %d", tt.sql, got, tt.want)
		}
	}
}
