package report

import (
	"etlrunner/etl/export"

	"encoding/json"
	"fmt"
	"path/filepath"
	"time"
)

// SchemaVersion identifies the layout of the JSON artifacts.
const SchemaVersion = "etl/v1"

// Metadata heads every artifact.
type Metadata struct {
	SchemaVersion string    `json:"schema_version"`
	GeneratedAt   time.Time `json:"generated_at"`
	InvocationID  string    `json:"invocation_id"`
	Command       string    `json:"command"`
}

type runResults struct {
	Metadata    Metadata       `json:"metadata"`
	Results     []resultJSON   `json:"results"`
	ElapsedTime float64        `json:"elapsed_time"`
	Args        map[string]any `json:"args"`
	Error       string         `json:"error,omitempty"`
	Deliveries  *Deliveries    `json:"deliveries,omitempty"`
}

type resultJSON struct {
	UniqueID        string          `json:"unique_id"`
	Status          string          `json:"status"`
	ExecutionTime   float64         `json:"execution_time"`
	StartedAt       time.Time       `json:"started_at"`
	Message         string          `json:"message"`
	Failures        *int64          `json:"failures"`
	Sample          []string        `json:"sample,omitempty"`
	AdapterResponse adapterResponse `json:"adapter_response"`
	CompiledCode    string          `json:"compiled_code,omitempty"`
	RelativePath    string          `json:"original_file_path,omitempty"`
}

type adapterResponse struct {
	Message      string `json:"_message,omitempty"`
	RowsAffected int64  `json:"rows_affected"`
	RowsRejected int64  `json:"rows_rejected,omitempty"`
}

// WriteRunResults writes run_results.json into dir.
func WriteRunResults(dir string, run Run, s Summary, args map[string]any) error {
	out := runResults{
		Metadata:    Metadata{SchemaVersion: SchemaVersion, GeneratedAt: time.Now().UTC(), InvocationID: run.ID, Command: run.Command},
		ElapsedTime: s.Elapsed.Seconds(),
		Args:        args,
		Results:     []resultJSON{},
		Deliveries:  s.Deliveries,
	}
	if s.Err != nil {
		out.Error = s.Err.Error()
	}
	for _, r := range s.Results {
		j := resultJSON{
			UniqueID: r.UniqueID, Status: r.Status, ExecutionTime: r.ExecutionTime.Seconds(), StartedAt: r.StartedAt.UTC(),
			Message: r.Message, Sample: r.Sample, CompiledCode: r.CompiledSQL, RelativePath: r.File,
			AdapterResponse: adapterResponse{RowsAffected: r.Rows, RowsRejected: r.Rejected},
		}
		if r.Kind == "test" {
			f := r.Failures
			j.Failures = &f
		}
		out.Results = append(out.Results, j)
	}
	return WriteJSON(filepath.Join(dir, "run_results.json"), out)
}

// WriteJSON writes v as indented JSON to path, atomically, so a reader never
// sees half a file.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	if err := export.WriteAtomic(path, append(data, '\n')); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
