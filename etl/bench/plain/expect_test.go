package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The expectations are computed here in Go, straight from the landing
// files and the rules, without DuckDB: what the outputs must hold.

var isoTime = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$`)

// message is a valid event: a candidate row of notification_detail.
type message struct {
	id, customer, channel string
	name, payload         *string
	at                    time.Time // UTC
	file, line            int       // path order, line order in the file
}

func (m message) String() string {
	return fmt.Sprintf("%s %s %s %s %s %s %s", m.at.Format("2006-01-02"), m.customer, str(m.name), m.id, m.channel, str(m.payload),
		m.at.Format("2006-01-02T15:04:05.000000"))
}

func str(p *string) string {
	if p == nil {
		return "NULL"
	}
	return *p
}

// expectMessages reads every landing file and keeps one message per id.
func expectMessages(t *testing.T, landing string) map[string]message {
	t.Helper()
	files, err := landingFiles(landing)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]message{}
	for fi, path := range files {
		for li, line := range readLines(t, path) {
			m, ok := parseEvent(t, line)
			if !ok {
				continue
			}
			m.file, m.line = fi, li
			old, seen := out[m.id]
			if !seen || m.at.Before(old.at) || m.at.Equal(old.at) && (m.file < old.file || m.file == old.file && m.line < old.line) {
				out[m.id] = m
			}
		}
	}
	return out
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		r = zr
	}
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			lines = append(lines, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return lines
}

// parseEvent applies the validity rules to one NDJSON line.
func parseEvent(t *testing.T, line string) (message, bool) {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &raw); err != nil {
		t.Fatalf("bad line %q: %v", line, err)
	}
	text := func(key string) *string {
		v, ok := raw[key]
		if !ok || string(v) == "null" {
			return nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			s = string(v)
		}
		if s = strings.Trim(s, " "); s == "" {
			return nil
		}
		return &s
	}
	id, customer, channel, at := text("message_id"), text("customer_id"), text("channel"), text("event_datetime")
	if id == nil || customer == nil || channel == nil || at == nil || !isoTime.MatchString(*at) {
		return message{}, false
	}
	ts, err := parseISO(*at)
	if err != nil {
		return message{}, false
	}
	m := message{id: *id, customer: *customer, channel: strings.ToLower(*channel), name: text("customer_name"), at: ts}
	if p, ok := raw["payload"]; ok && string(p) != "null" {
		s := string(p)
		m.payload = &s
	}
	return m, true
}

// parseISO parses a time the pattern accepted: T or space, an optional
// fraction, and Z, ±HH, ±HHMM or ±HH:MM.
func parseISO(s string) (time.Time, error) {
	s = s[:10] + "T" + s[11:]
	for _, layout := range []string{"2006-01-02T15:04:05.999999Z07:00", "2006-01-02T15:04:05.999999Z0700", "2006-01-02T15:04:05.999999Z07"} {
		if ts, err := time.Parse(layout, s); err == nil {
			return ts.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unparsable time %q", s)
}

// expected are the four outputs as sorted lines of text.
type expected struct {
	detail, perMinute, dashboard, billing []string
	whatsapp                              int
}

func expectOutputs(msgs map[string]message) expected {
	type minuteKey struct {
		customer string
		minute   time.Time
	}
	type dayKey struct{ customer, day string }
	perMinute := map[minuteKey][2]int{}
	var e expected
	for _, m := range msgs {
		e.detail = append(e.detail, m.String())
		k := minuteKey{m.customer, m.at.Truncate(time.Minute)}
		c := perMinute[k]
		c[0]++
		if m.channel == "whatsapp" {
			c[1]++
			e.whatsapp++
		}
		perMinute[k] = c
	}
	type day struct {
		count int
		last  time.Time
	}
	days := map[dayKey]day{}
	for k, c := range perMinute {
		e.perMinute = append(e.perMinute, fmt.Sprintf("%s %s %s %d %d", k.customer, k.minute.Format("2006-01-02"),
			k.minute.Format("2006-01-02T15:04:05"), c[0], c[1]))
		if c[1] == 0 {
			continue
		}
		dk := dayKey{k.customer, k.minute.Format("2006-01-02")}
		d := days[dk]
		d.count += c[1]
		if end := k.minute.Add(time.Minute); end.After(d.last) {
			d.last = end
		}
		days[dk] = d
	}
	for k, d := range days {
		e.dashboard = append(e.dashboard, fmt.Sprintf("%s %s %d %s", k.customer, k.day, d.count, d.last.Format(time.RFC3339)))
		cents := d.count * 4 // 0.04 BRL each
		e.billing = append(e.billing, fmt.Sprintf("%s %s %d 0.0400 %d.%02d BRL", k.customer, k.day, d.count, cents/100, cents%100))
	}
	for _, s := range [][]string{e.detail, e.perMinute, e.dashboard, e.billing} {
		slices.Sort(s)
	}
	return e
}

// landingFile writes a notifications file (gzip-compressed when its name
// ends in .gz) into the landing folder's notifications/.
func landingFile(t *testing.T, landing, name string, lines ...string) {
	t.Helper()
	dir := filepath.Join(landing, "notifications")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	var w io.Writer = f
	var zw *gzip.Writer
	if strings.HasSuffix(name, ".gz") {
		zw = gzip.NewWriter(f)
		w = zw
	}
	if _, err := io.WriteString(w, strings.Join(lines, "\n")+"\n"); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
