package report

import (
	"context"
	"log/slog"
)

// JSON writes one JSON object per event through a slog handler, so run
// events and library log lines share one shape: time, level, msg (the
// event name) and the event's fields.
type JSON struct {
	log *slog.Logger
}

// NewJSON returns a reporter logging to log (normally a slog JSON handler).
func NewJSON(log *slog.Logger) *JSON { return &JSON{log: log} }

func (j *JSON) emit(level slog.Level, event string, attrs ...any) {
	j.log.Log(context.Background(), level, event, attrs...)
}

// Start logs the run's start.
func (j *JSON) Start(r Run) {
	j.emit(slog.LevelInfo, "run_started", "run_id", r.ID, "command", r.Command, "project", r.Project, "counts", r.Counts)
}

// Info logs a message.
func (j *JSON) Info(msg string) { j.emit(slog.LevelInfo, "info", "detail", msg) }

// NodeStart logs nothing: a run's events stay one per finished node.
func (j *JSON) NodeStart(NodeResult) {}

// NodeProgress logs nothing, for the same reason.
func (j *JSON) NodeProgress(string, Progress) {}

// NodeDone logs one finished node.
func (j *JSON) NodeDone(index, total int, r NodeResult) {
	attrs := []any{"index", index, "total", total, "unique_id", r.UniqueID, "kind", r.Kind, "name", r.Name,
		"status", r.Status, "rows", r.Rows, "seconds", r.ExecutionTime.Seconds(), "file", r.File}
	if r.Message != "" {
		attrs = append(attrs, "detail", r.Message)
	}
	if r.Rejected > 0 {
		attrs = append(attrs, "rejected", r.Rejected)
	}
	if r.Kind == "test" {
		attrs = append(attrs, "failures", r.Failures)
		if len(r.Sample) > 0 {
			attrs = append(attrs, "sample", r.Sample)
		}
	}
	level := slog.LevelInfo
	switch r.Status {
	case Error, Fail:
		level = slog.LevelError
	case Warn, Skipped:
		level = slog.LevelWarn
	}
	j.emit(level, "node_finished", attrs...)
}

// Finish logs the closing tally.
func (j *JSON) Finish(s Summary) {
	c := Count(s.Results)
	attrs := []any{"seconds", s.Elapsed.Seconds(), "pass", c.Pass, "warn", c.Warn, "error", c.Error, "skip", c.Skip, "total", c.Total}
	level := slog.LevelInfo
	if s.Err != nil {
		attrs = append(attrs, "run_error", s.Err.Error())
	}
	if c.Error > 0 || s.Err != nil {
		level = slog.LevelError
	}
	if d := s.Deliveries; d != nil {
		dl := slog.LevelInfo
		if d.Status != "ok" {
			dl = slog.LevelWarn
		}
		j.emit(dl, "deliveries", "status", d.Status, "queued", d.Queued, "sent", d.Sent, "retrying", d.Retrying,
			"failed", d.Failed, "unconfirmed", d.Unconfirmed, "waiting", d.Waiting, "cancelled", d.Cancelled,
			"errors", d.Errors, "not_configured", d.NotConfigured)
	}
	j.emit(level, "run_finished", attrs...)
}
