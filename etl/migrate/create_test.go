package migrate

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCreate(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 4, 23, 30, 0, 0, time.FixedZone("x", -5*3600))
	tests := []struct {
		name     string
		existing []string
		input    string
		want     string
	}{
		{"empty dir", nil, "add invoices", "00001_add_invoices.sql"},
		{"missing dir", []string{"-"}, "first", "00001_first.sql"},
		{"after highest", []string{"00001_a.sql", "00003_c.sql", "00002_b.sql"}, "AddX", "00004_add_x.sql"},
		{"ignores non migrations", []string{"00001_a.sql", "README.md", "99_notes.txt", "abc_d.sql"}, "x", "00002_x.sql"},
		{"timestamp versions", []string{"20240101120000_init.sql"}, "next", "20240101120001_next.sql"},
		{"camel and punctuation", []string{"00009_z.sql"}, "  HTTPServer v2--Final!.sql ", "00010_http_server_v2_final_sql.sql"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if len(tc.existing) == 1 && tc.existing[0] == "-" {
				dir = filepath.Join(dir, "sub", "migrations")
			} else {
				for _, f := range tc.existing {
					if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			got, err := Create(ctx, dir, tc.input, now)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(got) != tc.want || filepath.Dir(got) != dir {
				t.Fatalf("Create = %s, want %s in %s", got, tc.want, dir)
			}
			body, err := os.ReadFile(got)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"-- +goose Up\n", "-- +goose Down\n", "2025-03-05"} {
				if !strings.Contains(string(body), s) {
					t.Errorf("body lacks %q:\n%s", s, body)
				}
			}
		})
	}
}

func TestCreateRefuses(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"", "   ", "---", "éà"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Create(ctx, dir, name, time.Now()); err == nil {
				t.Fatalf("Create(%q) succeeded", name)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 0 {
				t.Errorf("left files behind: %v", entries)
			}
		})
	}
	t.Run("canceled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := Create(cctx, t.TempDir(), "x", time.Now()); err == nil {
			t.Fatal("Create succeeded with a canceled context")
		}
	})
}

// A created file must be a valid, runnable goose migration.
func TestCreatedFileRuns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"one", "two"} {
		if _, err := Create(ctx, dir, name, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	m, err := New(openDB(t), os.DirFS(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Empty || got[1].File != "00002_two.sql" {
		t.Errorf("Up = %+v", got)
	}
	d, err := m.Down(ctx)
	if err != nil || d == nil || d.Version != 2 {
		t.Errorf("Down = %+v, %v", d, err)
	}
}

func TestSanitizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"add invoices", "add_invoices"},
		{"AddInvoiceTable", "add_invoice_table"},
		{"addHTTPServer", "add_http_server"},
		{"raw.chatbot-v2", "raw_chatbot_v2"},
		{"v2Table", "v2_table"},
		{"__already_snake__", "already_snake"},
		{"naïve café", "na_ve_caf"},
		{"123", "123"},
		{"", ""},
		{"!!!", ""},
		{strings.Repeat("ab", 40), strings.Repeat("ab", 32)},
		{strings.Repeat("a", 63) + " b", strings.Repeat("a", 63)},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := sanitizeName(tc.in); got != tc.want {
				t.Errorf("sanitizeName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

var snake = regexp.MustCompile(`^([a-z0-9]+(_[a-z0-9]+)*)?$`)

func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{"", "add invoices", "HTTPServer", "a__b", "ÄÖÜ", "x\x00y", strings.Repeat("Ab", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := sanitizeName(in)
		if !snake.MatchString(got) {
			t.Fatalf("sanitizeName(%q) = %q is not snake_case", in, got)
		}
		if len(got) > maxNameLen {
			t.Fatalf("sanitizeName(%q) = %q is longer than %d", in, got, maxNameLen)
		}
		if again := sanitizeName(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, got, again)
		}
	})
}
