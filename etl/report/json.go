package report

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// JSON writes one JSON object per event, for log collectors.
type JSON struct {
	mu  sync.Mutex
	enc *json.Encoder
	now func() time.Time
}

// NewJSON returns a reporter writing JSON lines to w.
func NewJSON(w io.Writer) *JSON { return &JSON{enc: json.NewEncoder(w), now: time.Now} }

func (j *JSON) emit(event string, fields map[string]any) {
	fields["ts"] = j.now().UTC().Format(time.RFC3339Nano)
	fields["event"] = event
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.enc.Encode(fields)
}

// Start logs the run's start.
func (j *JSON) Start(r Run) {
	j.emit("run_started", map[string]any{"run_id": r.ID, "command": r.Command, "project": r.Project, "counts": r.Counts})
}

// Info logs a message.
func (j *JSON) Info(msg string) { j.emit("info", map[string]any{"msg": msg}) }

// NodeDone logs one finished node.
func (j *JSON) NodeDone(index, total int, r NodeResult) {
	f := map[string]any{
		"index": index, "total": total, "unique_id": r.UniqueID, "kind": r.Kind, "name": r.Name,
		"status": r.Status, "rows": r.Rows, "seconds": r.ExecutionTime.Seconds(), "file": r.File,
	}
	if r.Message != "" {
		f["msg"] = r.Message
	}
	if r.Rejected > 0 {
		f["rejected"] = r.Rejected
	}
	if r.Kind == "test" {
		f["failures"] = r.Failures
		if len(r.Sample) > 0 {
			f["sample"] = r.Sample
		}
	}
	j.emit("node_finished", f)
}

// Finish logs the closing tally.
func (j *JSON) Finish(s Summary) {
	c := Count(s.Results)
	f := map[string]any{"seconds": s.Elapsed.Seconds(), "pass": c.Pass, "warn": c.Warn, "error": c.Error, "skip": c.Skip, "total": c.Total}
	if s.Err != nil {
		f["error_msg"] = s.Err.Error()
	}
	j.emit("run_finished", f)
}
