package generate

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// writeNotificationFiles generates into a new folder and returns each
// minute file's name and content (gzip files decompressed).
func writeNotificationFiles(t *testing.T, rows int, seed uint64) (names []string, texts map[string][]byte) {
	t.Helper()
	return writeNotificationsWith(t, Options{Rows: rows, Seed: seed})
}

func writeNotificationsWith(t *testing.T, opts Options) (names []string, texts map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	opts.Out = dir
	if err := Run(context.Background(), "notifications", opts); err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "notifications", "*"))
	if err != nil {
		t.Fatal(err)
	}
	texts = map[string][]byte{}
	for _, p := range paths {
		fh, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = fh
		if strings.HasSuffix(p, ".gz") {
			if r, err = gzip.NewReader(fh); err != nil {
				t.Fatal(err)
			}
		}
		data, err := io.ReadAll(r)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, filepath.Base(p))
		texts[filepath.Base(p)] = data
	}
	sort.Strings(names)
	return names, texts
}

func TestNotificationsDeterministic(t *testing.T) {
	tests := []struct {
		name         string
		rows         int
		seedA, seedB uint64
		wantSame     bool
		wantLines    int
	}{
		{name: "same seed, default size", seedA: 1, seedB: 1, wantSame: true, wantLines: notifications.DefaultRows},
		{name: "same seed, odd size", rows: 1234, seedA: 7, seedB: 7, wantSame: true, wantLines: 1234},
		{name: "other seed", rows: 600, seedA: 1, seedB: 2, wantSame: false, wantLines: 600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			namesA, a := writeNotificationFiles(t, tt.rows, tt.seedA)
			namesB, b := writeNotificationFiles(t, tt.rows, tt.seedB)
			if strings.Join(namesA, ",") != strings.Join(namesB, ",") {
				t.Fatalf("files differ: %v and %v", namesA, namesB)
			}
			same, lines := true, 0
			for _, n := range namesA {
				same = same && bytes.Equal(a[n], b[n])
				lines += bytes.Count(a[n], []byte("\n"))
			}
			if same != tt.wantSame {
				t.Errorf("same bytes = %v, want %v", same, tt.wantSame)
			}
			if lines != tt.wantLines {
				t.Errorf("%d lines, want %d", lines, tt.wantLines)
			}
		})
	}
}

func TestNotificationsMinutes(t *testing.T) {
	tests := []struct{ rows, want int }{{1, 6}, {3000, 6}, {420000, 6}, {420001, 7}, {1000000, 15}}
	for _, tt := range tests {
		if got := notifMinutes(tt.rows); got != tt.want {
			t.Errorf("notifMinutes(%d) = %d, want %d", tt.rows, got, tt.want)
		}
	}
}

type notifRecord struct {
	CustomerID    *string         `json:"customer_id"`
	MessageID     *string         `json:"message_id"`
	Channel       *string         `json:"channel"`
	Payload       json.RawMessage `json:"payload"`
	EventDatetime *string         `json:"event_datetime"`
}

var notifISO = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$`)

// notifReason mirrors the bronze model's reject reasons.
func notifReason(r notifRecord) string {
	blank := func(s *string) bool { return s == nil || strings.TrimSpace(*s) == "" }
	switch {
	case blank(r.MessageID):
		return "missing message id"
	case blank(r.CustomerID):
		return "missing customer"
	case blank(r.Channel):
		return "missing channel"
	}
	if r.EventDatetime == nil || !notifISO.MatchString(*r.EventDatetime) {
		return "bad datetime"
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000-07:00", *r.EventDatetime); err != nil {
		return "bad datetime"
	}
	return ""
}

func TestNotificationsDirtyCases(t *testing.T) {
	names, texts := writeNotificationFiles(t, 0, 1)
	reasons := map[string]int{}
	channels := map[string]bool{}
	days := map[string]bool{}
	type copyOf struct {
		file string
		at   time.Time
	}
	first := map[string]copyOf{}
	var sameFile, crossFile, earlierLater, gz int
	for _, name := range names {
		if strings.HasSuffix(name, ".jsonl.gz") {
			gz++
		}
		sc := bufio.NewScanner(bytes.NewReader(texts[name]))
		for sc.Scan() {
			var r notifRecord
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("%s: %v: %s", name, err, sc.Text())
			}
			if reason := notifReason(r); reason != "" {
				reasons[reason]++
				continue
			}
			if json.Valid(r.Payload) && r.Payload[0] != '{' {
				t.Errorf("%s: payload is not an object: %s", name, r.Payload)
			}
			channels[*r.Channel] = true
			at, _ := time.Parse("2006-01-02T15:04:05.000-07:00", *r.EventDatetime)
			days[at.UTC().Format("2006-01-02")] = true
			prev, seen := first[*r.MessageID]
			switch {
			case !seen:
				first[*r.MessageID] = copyOf{name, at}
			case prev.file == name:
				sameFile++
			default:
				crossFile++
				if at.Before(prev.at) && at.Truncate(time.Minute) != prev.at.Truncate(time.Minute) {
					earlierLater++
				}
			}
		}
	}
	for _, want := range []string{"missing message id", "missing customer", "missing channel", "bad datetime"} {
		if reasons[want] == 0 {
			t.Errorf("no row rejected for %q (got %v)", want, reasons)
		}
	}
	for _, want := range []string{"whatsapp", "WhatsApp", "WHATSAPP", "sms", "email"} {
		if !channels[want] {
			t.Errorf("no event on channel %q", want)
		}
	}
	checks := []struct {
		what      string
		got, want int
	}{
		{"minute files", len(names), notifMinMinutes},
		{"gzip files", gz, 1},
		{"UTC days", len(days), 2},
		{"duplicates in one file", min(sameFile, 1), 1},
		{"duplicates across files", min(crossFile, 1), 1},
		{"later copies earlier than the first, in another minute", min(earlierLater, 1), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}
}

// A continuation writes later minute files than the history it follows,
// with message ids of its own.
func TestNotificationsContinuation(t *testing.T) {
	ctx := context.Background()
	history, next := t.TempDir(), t.TempDir()
	if err := Run(ctx, "notifications", Options{Rows: 3000, Seed: 1, Out: history, Minutes: 3}); err != nil {
		t.Fatal(err)
	}
	if err := Run(ctx, "notifications", Options{Rows: 1000, Seed: 1, Out: next, FirstMinute: 3, Minutes: 1}); err != nil {
		t.Fatal(err)
	}
	names := func(dir string) []string {
		entries, err := os.ReadDir(filepath.Join(dir, "notifications"))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	h, n := names(history), names(next)
	if len(h) != 3 || len(n) != 1 || n[0] <= h[len(h)-1] {
		t.Fatalf("history %v, continuation %v: the continuation must come after", h, n)
	}
	first, err := os.ReadFile(filepath.Join(history, "notifications", h[0]))
	if err != nil {
		t.Fatal(err)
	}
	cont, err := os.ReadFile(filepath.Join(next, "notifications", n[0]))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(first[:200], cont[:200]) {
		t.Fatal("the continuation repeats the history's stream")
	}
}

// --gzip compresses every file and changes nothing else.
func TestNotificationsGzipEveryFile(t *testing.T) {
	plainNames, plain := writeNotificationFiles(t, 700, 3)
	names, zipped := writeNotificationsWith(t, Options{Rows: 700, Seed: 3, Gzip: true})
	if len(names) != len(plainNames) {
		t.Fatalf("%d files, want %d", len(names), len(plainNames))
	}
	for i, n := range names {
		base := strings.TrimSuffix(plainNames[i], ".gz")
		if n != base+".gz" {
			t.Errorf("file %d is %s, want %s.gz", i, n, base)
		}
		if !bytes.Equal(zipped[n], plain[plainNames[i]]) {
			t.Errorf("%s: content differs from the uncompressed run", n)
		}
	}
}
