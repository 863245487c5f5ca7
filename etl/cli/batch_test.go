package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// batchProject adds to a copy of the project a small family built on every
// batch mode: a landing folder of CSV files, a bronze model that types the
// new rows (batch: load), a silver total per key (batch: key), a gold view
// over bronze (batch: load) and a gold table over the totals (batch: key).
func batchProject(t *testing.T) (dir, landing string) {
	t.Helper()
	dir, landing = copyProject(t), t.TempDir()
	files := map[string]string{
		"sql/migrations/09999_raw_items.sql": "-- +goose Up\nCREATE TABLE raw.items (k VARCHAR, v VARCHAR, _source_file VARCHAR NOT NULL, _source_line BIGINT NOT NULL, _loaded_at TIMESTAMPTZ NOT NULL);\n-- +goose Down\nDROP TABLE raw.items;\n",
		"models/items.yml": `seeds:
  - {name: items, path: "{{ var('items_dir') }}/*.csv", format: csv, table: raw.items}
models:
  - {name: items_typed, config: {tags: [items], rejects: false}}
  - {name: item_totals, config: {tags: [items]}, tests: [{unique: {columns: [k]}}]}
  - {name: items_seen, config: {tags: [items]}, exports: [{format: csv, partition_by: [k], order_by: [v]}]}
  - {name: item_report, config: {tags: [items]}, exports: [{format: csv, order_by: [k]}]}
`,
		"models/bronze/items_typed.sql": "{{ config(materialized='incremental', batch='load') }}\nSELECT k, CAST(v AS INTEGER) AS v, _source_file FROM {{ source('raw', 'items') }}\n",
		"models/silver/item_totals.sql": "{{ config(materialized='incremental', batch='key', unique_key='k') }}\nSELECT k, sum(v) AS total, count(*) AS n FROM {{ ref('items_typed') }} GROUP BY k\n",
		"models/gold/items_seen.sql":    "{{ config(materialized='view', batch='load') }}\nSELECT k, v FROM {{ ref('items_typed') }}\n",
		"models/gold/item_report.sql":   "{{ config(materialized='incremental', batch='key', unique_key='k') }}\nSELECT k, total, n FROM {{ ref('item_totals') }} WHERE total < 50\n",
	}
	for name, text := range files {
		write(t, filepath.Join(dir, name), text)
	}
	return dir, landing
}

// Every batch mode, over a sequence of landings: new files are batches
// (INSERT), a replaced or removed file rebuilds what read it, a key the
// query no longer returns loses its row within a batch, and after every
// step the outputs equal a clean build on the same files.
func TestBatchModesEqualCleanBuild(t *testing.T) {
	dir, landing := batchProject(t)
	build := func(d string) result {
		return etl(t, d, "build", "--select", "+tag:items", "--vars", "{items_dir: "+landing+"}").must(t, 0)
	}
	steps := []struct {
		name  string
		apply func()
		want  []string
	}{
		{"first files", func() {
			write(t, filepath.Join(landing, "a.csv"), "k,v\nx,1\ny,2\n")
			write(t, filepath.Join(landing, "b.csv"), "k,v\nx,3\nz,4\n")
		}, []string{"bronze.items_typed ", "[CREATE TABLE, 4 rows"}},
		{"a new file is a batch; x leaves the report", func() {
			write(t, filepath.Join(landing, "c.csv"), "k,v\ny,20\nw,5\nx,60\n")
		}, []string{"[INSERT 3, 3 rows", "silver.item_totals", "CREATE VIEW, 3 new rows"}},
		{"a replaced file rebuilds", func() {
			write(t, filepath.Join(landing, "a.csv"), "k,v\nx,100\n")
		}, []string{"(rebuilt: files of items were replaced or removed)", "(rebuilt: items_typed was rebuilt)"}},
		{"a removed file rebuilds, its keys go", func() {
			if err := os.Remove(filepath.Join(landing, "c.csv")); err != nil {
				t.Fatal(err)
			}
		}, []string{"(rebuilt: files of items were replaced or removed)"}},
		{"a batch that moves no key", func() {
			write(t, filepath.Join(landing, "d.csv"), "k,v\nz,6\n")
		}, []string{"[INSERT 1, 1 rows"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.apply()
			build(dir).contains(t, s.want...)
			clean, _ := batchProject(t)
			build(clean)
			sameRows(t, s.name, modelRows(t, dir), modelRows(t, clean))
		})
	}
	// x: a.csv (replaced: 100) and b.csv (3), over the limit; y's rows were
	// in the old a.csv and the removed c.csv; z from b.csv and d.csv.
	want := "k,total,n\nz,10,2\n"
	if got := read(t, filepath.Join(dir, "output/item_report.csv")); got != want {
		t.Errorf("item_report.csv:\n%s\nwant:\n%s", got, want)
	}
}
