package docs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"etlrunner/etl/export"
	"etlrunner/etl/plan"
	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

// Column is a column of a relation as the warehouse has it, with its
// description from YAML.
type Column struct {
	Name, Type, Description string
}

// Run is what the last run did to a node (run_results.json).
type Run struct {
	Status    string    `json:"status"`
	Message   string    `json:"message"`
	Seconds   float64   `json:"execution_time"`
	StartedAt time.Time `json:"started_at"`
	Failures  *int64    `json:"failures"`
	SQL       string    `json:"compiled_code"`
	Adapter   struct {
		Rows int64 `json:"rows_affected"`
	} `json:"adapter_response"`
}

// LedgerFile is a landing file a seed loaded.
type LedgerFile struct {
	Path     string
	Bytes    int64
	Rows     int64
	LoadedAt time.Time
}

// facts are what the warehouse, the artifacts and the outputs say of the
// project's nodes.
type facts struct {
	columns map[string][]Column // "schema.name" -> columns
	ledger  map[string][]LedgerFile
	runs    map[string]Run // unique id -> last result
	runID   string
	files   map[string][]export.File // model name -> published files
}

// gather reads the facts: the warehouse's catalog and ledger (db may be
// nil: no warehouse yet), run_results.json and the output manifest.
func gather(ctx context.Context, db warehouse.Querier, targetDir, outputDir string) (*facts, error) {
	f := &facts{columns: map[string][]Column{}, ledger: map[string][]LedgerFile{}, runs: map[string]Run{}, files: map[string][]export.File{}}
	if db != nil {
		if err := f.readCatalog(ctx, db); err != nil {
			return nil, err
		}
		if err := f.readLedger(ctx, db); err != nil {
			return nil, err
		}
	}
	var rr struct {
		Metadata struct {
			InvocationID string `json:"invocation_id"`
		} `json:"metadata"`
		Results []struct {
			UniqueID string `json:"unique_id"`
			Run
		} `json:"results"`
	}
	if err := readJSON(filepath.Join(targetDir, "run_results.json"), &rr); err != nil {
		return nil, err
	}
	f.runID = rr.Metadata.InvocationID
	for _, r := range rr.Results {
		f.runs[r.UniqueID] = r.Run
	}
	m, err := export.ReadManifest(outputDir)
	if err != nil {
		return nil, err
	}
	for _, file := range m.Files {
		f.files[file.Model] = append(f.files[file.Model], file)
	}
	return f, nil
}

// readJSON decodes path into v; a missing file leaves v empty.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func (f *facts) readCatalog(ctx context.Context, db warehouse.Querier) error {
	rows, err := db.QueryContext(ctx, `SELECT table_schema || '.' || table_name, column_name, data_type
		FROM information_schema.columns WHERE table_catalog = current_database() ORDER BY table_schema, table_name, ordinal_position`)
	if err != nil {
		return fmt.Errorf("read the catalog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rel string
		var c Column
		if err := rows.Scan(&rel, &c.Name, &c.Type); err != nil {
			return err
		}
		f.columns[rel] = append(f.columns[rel], c)
	}
	return rows.Err()
}

func (f *facts) readLedger(ctx context.Context, db warehouse.Querier) error {
	rows, err := db.QueryContext(ctx, "SELECT seed, path, size, row_count, loaded_at FROM etl_meta.file_ledger ORDER BY seed, path")
	if err != nil {
		return fmt.Errorf("read the file ledger: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seed string
		var l LedgerFile
		if err := rows.Scan(&seed, &l.Path, &l.Bytes, &l.Rows, &l.LoadedAt); err != nil {
			return err
		}
		f.ledger[seed] = append(f.ledger[seed], l)
	}
	return rows.Err()
}

// columnsOf merges the warehouse's columns of rel with the descriptions
// YAML gives; a documented column the warehouse lacks is listed too.
func (f *facts) columnsOf(rel string, documented []project.Column) []Column {
	desc := map[string]project.Column{}
	for _, c := range documented {
		desc[c.Name] = c
	}
	var out []Column
	seen := map[string]bool{}
	for _, c := range f.columns[rel] {
		c.Description = desc[c.Name].Description
		seen[c.Name] = true
		out = append(out, c)
	}
	for _, c := range documented {
		if !seen[c.Name] {
			out = append(out, Column{Name: c.Name, Type: c.DataType, Description: c.Description})
		}
	}
	return out
}

// testsOf lists the test nodes of each model, by model id.
func testsOf(pl *plan.Plan) map[string][]string {
	out := map[string][]string{}
	for _, n := range pl.ByKind(plan.TestNode) {
		if m := pl.TestedModel(n); m != nil {
			out[m.ID] = append(out[m.ID], n.ID)
		}
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out
}

// slug is a node id as a file name.
func slug(id string) string {
	return strings.NewReplacer(":", "-", "/", "-", "\\", "-").Replace(id)
}
