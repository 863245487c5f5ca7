package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestJSON(t *testing.T) {
	type want map[string]any
	cases := []struct {
		name   string
		emit   func(j *JSON)
		level  string
		want   want
		absent []string
	}{
		{"start", func(j *JSON) {
			j.Start(Run{ID: "r1", Command: "build", Project: "demo", Counts: map[string]int{"model": 2}})
		},
			"INFO", want{"msg": "run_started", "run_id": "r1", "command": "build", "project": "demo", "counts": map[string]any{"model": 2.0}}, nil},
		{"info", func(j *JSON) { j.Info("hello") }, "INFO", want{"msg": "info", "detail": "hello"}, nil},
		{"model done", func(j *JSON) {
			j.NodeDone(2, 5, NodeResult{UniqueID: "model.demo.a", Kind: "model", Name: "a", Status: Success, Rows: 7, Rejected: 2,
				Message: "CREATE TABLE", File: "models/silver/a.sql", ExecutionTime: 1500 * time.Millisecond})
		}, "INFO", want{"msg": "node_finished", "index": 2.0, "total": 5.0, "unique_id": "model.demo.a", "kind": "model", "name": "a",
			"status": "success", "rows": 7.0, "rejected": 2.0, "detail": "CREATE TABLE", "file": "models/silver/a.sql", "seconds": 1.5},
			[]string{"failures", "sample"}},
		{"model without rejects or message", func(j *JSON) { j.NodeDone(1, 1, NodeResult{Kind: "model", Status: Success}) },
			"INFO", want{"msg": "node_finished", "rows": 0.0}, []string{"rejected", "detail", "failures"}},
		{"failed test", func(j *JSON) {
			j.NodeDone(3, 5, NodeResult{UniqueID: "test.demo.t", Kind: "test", Status: Fail, Failures: 3, Sample: []string{"id", "1"}})
		}, "ERROR", want{"msg": "node_finished", "status": "fail", "failures": 3.0, "sample": []any{"id", "1"}}, nil},
		{"passing test", func(j *JSON) { j.NodeDone(3, 5, NodeResult{Kind: "test", Status: Pass}) },
			"INFO", want{"status": "pass", "failures": 0.0}, []string{"sample"}},
		{"warning", func(j *JSON) { j.NodeDone(1, 1, NodeResult{Kind: "test", Status: Warn, Failures: 1}) }, "WARN", want{"status": "warn"}, nil},
		{"skipped", func(j *JSON) { j.NodeDone(1, 1, NodeResult{Kind: "model", Status: Skipped}) }, "WARN", want{"status": "skipped"}, nil},
		{"errored model", func(j *JSON) { j.NodeDone(1, 1, NodeResult{Kind: "model", Status: Error}) }, "ERROR", want{"status": "error"}, nil},
		{"finish clean", func(j *JSON) {
			j.Finish(Summary{Elapsed: 2 * time.Second, Results: []NodeResult{{Status: Success}, {Status: Warn}, {Status: Skipped}}})
		}, "INFO", want{"msg": "run_finished", "seconds": 2.0, "pass": 1.0, "warn": 1.0, "error": 0.0, "skip": 1.0, "total": 3.0}, []string{"run_error"}},
		{"finish with failures", func(j *JSON) { j.Finish(Summary{Results: []NodeResult{{Status: Fail}}}) },
			"ERROR", want{"error": 1.0, "total": 1.0}, []string{"run_error"}},
		{"finish with a run error", func(j *JSON) { j.Finish(Summary{Err: errors.New("publish failed")}) },
			"ERROR", want{"run_error": "publish failed", "error": 0.0}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			tc.emit(NewJSON(slog.New(slog.NewJSONHandler(&buf, nil))))
			text := strings.TrimSuffix(buf.String(), "\n")
			if strings.Contains(text, "\n") {
				t.Fatalf("more than one line: %s", text)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(text), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, text)
			}
			if got["level"] != tc.level {
				t.Errorf("level = %v, want %s", got["level"], tc.level)
			}
			if ts, _ := got["time"].(string); ts == "" {
				t.Errorf("no time in %s", text)
			} else if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
				t.Errorf("time %q: %v", ts, err)
			}
			for k, v := range tc.want {
				g, _ := json.Marshal(got[k])
				w, _ := json.Marshal(v)
				if string(g) != string(w) {
					t.Errorf("%s = %s, want %s", k, g, w)
				}
			}
			for _, k := range tc.absent {
				if _, ok := got[k]; ok {
					t.Errorf("%s should be absent: %s", k, text)
				}
			}
		})
	}
}
