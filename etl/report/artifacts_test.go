package report

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"etlrunner/etl/plan"
	"etlrunner/etl/project"
)

// readJSON decodes path and checks that no temporary file was left beside it.
func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	return out
}

// at follows a path of keys and indexes into decoded JSON.
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func TestWriteRunResults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "target", "nested")
	start := time.Date(2024, 5, 6, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	s := Summary{Elapsed: 2500 * time.Millisecond, Err: errors.New("publish failed"), Results: []NodeResult{
		{UniqueID: "model.demo.a", Kind: "model", Status: Success, Rows: 12, Rejected: 3, Message: "CREATE TABLE, 12 rows",
			StartedAt: start, ExecutionTime: 1250 * time.Millisecond, CompiledSQL: "SELECT 1", File: "models/silver/a.sql"},
		{UniqueID: "test.demo.t", Kind: "test", Status: Fail, Failures: 4, Sample: []string{"id", "1"}},
		{UniqueID: "test.demo.ok", Kind: "test", Status: Pass},
	}}
	if err := WriteRunResults(dir, Run{ID: "run-1", Command: "build"}, s, map[string]any{"select": []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	got := readJSON(t, filepath.Join(dir, "run_results.json"))
	cases := []struct {
		path []any
		want any
	}{
		{[]any{"metadata", "schema_version"}, SchemaVersion},
		{[]any{"metadata", "invocation_id"}, "run-1"},
		{[]any{"metadata", "command"}, "build"},
		{[]any{"elapsed_time"}, 2.5},
		{[]any{"error"}, "publish failed"},
		{[]any{"args", "select", 0}, "a"},
		{[]any{"results", 0, "unique_id"}, "model.demo.a"},
		{[]any{"results", 0, "status"}, "success"},
		{[]any{"results", 0, "execution_time"}, 1.25},
		{[]any{"results", 0, "started_at"}, "2024-05-06T10:00:00Z"},
		{[]any{"results", 0, "message"}, "CREATE TABLE, 12 rows"},
		{[]any{"results", 0, "failures"}, nil},
		{[]any{"results", 0, "adapter_response", "rows_affected"}, 12.0},
		{[]any{"results", 0, "adapter_response", "rows_rejected"}, 3.0},
		{[]any{"results", 0, "compiled_code"}, "SELECT 1"},
		{[]any{"results", 0, "original_file_path"}, "models/silver/a.sql"},
		{[]any{"results", 1, "status"}, "fail"},
		{[]any{"results", 1, "failures"}, 4.0},
		{[]any{"results", 1, "sample", 1}, "1"},
		{[]any{"results", 1, "adapter_response", "rows_affected"}, 0.0},
		{[]any{"results", 2, "failures"}, 0.0},
	}
	for _, tc := range cases {
		name, _ := json.Marshal(tc.path)
		t.Run(string(name), func(t *testing.T) {
			if g := at(got, tc.path...); g != tc.want {
				t.Errorf("got %#v, want %#v", g, tc.want)
			}
		})
	}
	t.Run("generated_at", func(t *testing.T) {
		ts, _ := at(got, "metadata", "generated_at").(string)
		if parsed, err := time.Parse(time.RFC3339Nano, ts); err != nil || parsed.Location() != time.UTC {
			t.Errorf("generated_at %q: %v", ts, err)
		}
	})
	t.Run("no results is an empty list", func(t *testing.T) {
		if err := WriteRunResults(dir, Run{ID: "run-2"}, Summary{}, nil); err != nil {
			t.Fatal(err)
		}
		again := readJSON(t, filepath.Join(dir, "run_results.json"))
		if r, ok := again["results"].([]any); !ok || len(r) != 0 {
			t.Errorf("results = %#v", again["results"])
		}
		if _, ok := again["error"]; ok || at(again, "metadata", "invocation_id") != "run-2" {
			t.Errorf("not replaced: %v", again)
		}
	})
}

func TestWriteJSONErrors(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		v          any
		want       string
	}{
		{"not encodable", filepath.Join(dir, "a.json"), make(chan int), "encode a.json"},
		{"folder is a file", filepath.Join(blocker, "a.json"), 1, "not a directory"},
		{"target is a folder", dir, 1, "write " + dir},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteJSON(tc.path, tc.v)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(tc.path + ".tmp"); err == nil {
				t.Error("temporary file left behind")
			}
		})
	}
}

func TestWriteManifest(t *testing.T) {
	fsys := fstest.MapFS{
		"etl.yml":             {Data: []byte("name: demo\n")},
		"models/sources.yml":  {Data: []byte("seeds:\n  - {name: orders, path: o.csv, description: Orders as sent}\n")},
		"models/silver/a.sql": {Data: []byte("{{ config(materialized='table', tags=['nightly']) }}SELECT * FROM {{ source('raw', 'orders') }}")},
		"models/gold/b.sql":   {Data: []byte("SELECT id FROM {{ ref('a') }}")},
		"models/gold/b.yml": {Data: []byte("models:\n  - name: b\n    description: B\n    columns:\n" +
			"      - name: id\n        description: The key\n        tests: [not_null]\n")},
	}
	p, err := project.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := plan.Compile(context.Background(), p, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteManifest(dir, "run-1", "compile", pl); err != nil {
		t.Fatal(err)
	}
	got := readJSON(t, filepath.Join(dir, "manifest.json"))
	const (
		seed = "seed.demo.orders"
		a    = "model.demo.a"
		b    = "model.demo.b"
		test = "test.demo.not_null_b_id"
	)
	cases := []struct {
		path []any
		want any
	}{
		{[]any{"metadata", "invocation_id"}, "run-1"},
		{[]any{"metadata", "command"}, "compile"},
		{[]any{"sources", seed, "unique_id"}, seed},
		{[]any{"sources", seed, "resource_type"}, "seed"},
		{[]any{"sources", seed, "relation_name"}, "raw.orders"},
		{[]any{"sources", seed, "path"}, "o.csv"},
		{[]any{"sources", seed, "format"}, "csv"},
		{[]any{"sources", seed, "description"}, "Orders as sent"},
		{[]any{"nodes", seed}, nil},
		{[]any{"nodes", a, "unique_id"}, a},
		{[]any{"nodes", a, "resource_type"}, "model"},
		{[]any{"nodes", a, "schema"}, "silver"},
		{[]any{"nodes", a, "relation_name"}, `"silver"."a"`},
		{[]any{"nodes", a, "original_file_path"}, "models/silver/a.sql"},
		{[]any{"nodes", a, "config", "materialized"}, "table"},
		{[]any{"nodes", a, "tags", 0}, "nightly"},
		{[]any{"nodes", a, "depends_on", "nodes", 0}, seed},
		{[]any{"nodes", a, "compiled_code"}, `SELECT * FROM "raw"."orders"`},
		{[]any{"nodes", b, "description"}, "B"},
		{[]any{"nodes", b, "columns", "id", "description"}, "The key"},
		{[]any{"nodes", b, "config", "materialized"}, "view"},
		{[]any{"nodes", b, "depends_on", "nodes", 0}, a},
		{[]any{"nodes", test, "resource_type"}, "test"},
		{[]any{"nodes", test, "test_metadata", "kind"}, "not_null"},
		{[]any{"nodes", test, "test_metadata", "column"}, "id"},
		{[]any{"nodes", test, "depends_on", "nodes", 0}, b},
		{[]any{"parent_map", b, 0}, a},
		{[]any{"child_map", seed, 0}, a},
		{[]any{"child_map", b, 0}, test},
	}
	for _, tc := range cases {
		name, _ := json.Marshal(tc.path)
		t.Run(string(name), func(t *testing.T) {
			if g := at(got, tc.path...); g != tc.want {
				t.Errorf("got %#v, want %#v", g, tc.want)
			}
		})
	}
	t.Run("every node has a list of tags and of dependencies", func(t *testing.T) {
		for _, id := range []string{a, b, test} {
			if _, ok := at(got, "nodes", id, "tags").([]any); !ok {
				t.Errorf("%s tags = %#v", id, at(got, "nodes", id, "tags"))
			}
		}
		if deps, ok := at(got, "sources", seed, "depends_on", "nodes").([]any); !ok || len(deps) != 0 {
			t.Errorf("seed depends_on = %#v", deps)
		}
	})
	t.Run("maps cover every node", func(t *testing.T) {
		var keys []string
		for k := range at(got, "parent_map").(map[string]any) {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if want := []string{a, b, seed, test}; !slices.Equal(keys, want) {
			t.Errorf("parent_map keys %v", keys)
		}
	})
}
