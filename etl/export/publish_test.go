package export

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// tree lists every file under dir, relative and slash-separated.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func TestPublishReplacesDirectory(t *testing.T) {
	db := openDB(t, salesTable)
	out := t.TempDir()
	specs := []Spec{
		{Model: "sales", Relation: "sales", Format: Parquet, PartitionBy: []string{"region"}},
		{Model: "sales_csv", Relation: "sales", Format: CSV},
	}
	run := func() []File {
		stage := t.TempDir()
		var files []File
		for _, s := range specs {
			files = append(files, mustWrite(t, db, stage, s)...)
		}
		if err := Publish(stage, out, files); err != nil {
			t.Fatalf("Publish: %v", err)
		}
		return files
	}
	run()
	want := []string{"sales/region=EU/data_0.parquet", "sales/region=US/data_0.parquet", "sales_csv.csv"}
	if got := tree(t, out); !reflect.DeepEqual(got, want) {
		t.Fatalf("first run: %v, want %v", got, want)
	}

	execAll(t, db, `DELETE FROM sales WHERE region = 'US'`, `INSERT INTO sales VALUES ('BR', DATE '2020-03-01', 1)`)
	files := run()
	want = []string{"sales/region=BR/data_0.parquet", "sales/region=EU/data_0.parquet", "sales_csv.csv"}
	if got := tree(t, out); !reflect.DeepEqual(got, want) {
		t.Fatalf("second run: %v, want %v (stale partition or leftovers)", got, want)
	}
	if got := readText(t, filepath.Join(out, "sales_csv.csv")); !strings.Contains(got, "BR,") || strings.Contains(got, "US,") {
		t.Fatalf("csv not replaced: %q", got)
	}
	entries, _ := readDirNames(out)
	if !reflect.DeepEqual(entries, []string{"sales", "sales_csv.csv"}) {
		t.Fatalf("output dir holds %v", entries)
	}
	for _, f := range files {
		sum, _, err := hashFile(filepath.Join(out, filepath.FromSlash(f.Path)))
		if err != nil || sum != f.SHA256 {
			t.Fatalf("%s: published sha %s, recorded %s (%v)", f.Path, sum, f.SHA256, err)
		}
	}
}

func TestFailedRunLeavesOutputUntouched(t *testing.T) {
	db := openDB(t, salesTable)
	out := t.TempDir()
	stage := t.TempDir()
	spec := Spec{Model: "sales", Relation: "sales", Format: CSV}
	if err := Publish(stage, out, mustWrite(t, db, stage, spec)); err != nil {
		t.Fatal(err)
	}
	before := readText(t, filepath.Join(out, "sales.csv"))

	execAll(t, db, `DELETE FROM sales`)
	mustWrite(t, db, t.TempDir(), spec) // staged, never published
	if got := readText(t, filepath.Join(out, "sales.csv")); got != before {
		t.Fatalf("output changed without Publish: %q", got)
	}
}

// An empty relation with a split export publishes an empty folder: the
// previous run's files must not linger as if they were current.
func TestEmptySplitReplacesOldFiles(t *testing.T) {
	db := openDB(t, salesTable)
	out := t.TempDir()
	spec := Spec{Model: "sales", Relation: "sales", Format: CSV, SplitBy: "region"}
	stage := t.TempDir()
	if err := Publish(stage, out, mustWrite(t, db, stage, spec)); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Join(out, "sales")); len(entries) == 0 {
		t.Fatal("first run wrote no split files")
	}
	execAll(t, db, `DELETE FROM sales`)
	stage = t.TempDir()
	files := mustWrite(t, db, stage, spec)
	if len(files) != 1 || !files[0].Empty || files[0].Path != "sales/" || files[0].Rows != 0 || len(files[0].Columns) == 0 {
		t.Fatalf("files = %+v", files)
	}
	if err := Publish(stage, out, files); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(out, "sales"))
	if err != nil || len(entries) != 0 {
		t.Fatalf("sales/ should be empty: %v %v", entries, err)
	}
	if err := WriteManifest(out, Manifest{RunID: "r", Files: files}); err != nil {
		t.Fatal(err)
	}
	if m := readText(t, filepath.Join(out, ManifestName)); !strings.Contains(m, `"empty": true`) {
		t.Fatalf("manifest does not say the output is empty:\n%s", m)
	}
}

func TestPublishRejectsBadUnits(t *testing.T) {
	cases := []struct {
		name  string
		files []File
		want  string
	}{
		{"escaping path", []File{{Path: "../x.csv"}}, "leaves the output dir"},
		{"file outside unit", []File{{Path: "a/x.csv", Unit: "b"}}, "outside its unit"},
		{"nested units", []File{{Path: "r/x.csv", Unit: "r"}, {Path: "r/s/y.csv"}}, "lies inside output r"},
		{"missing staged file", []File{{Path: "none.csv"}}, "staged output"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Publish(t.TempDir(), t.TempDir(), tc.files)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRerunIsByteIdentical(t *testing.T) {
	// More rows than one parquet row group, so several threads take part.
	db := openDB(t, salesTable, chatbotDB(t),
		`CREATE TABLE big AS SELECT i, i % 7 AS g, CAST(i AS DECIMAL(12,2)) / 3 AS d, TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND AS ts FROM range(130000) r(i)`)
	specs := []Spec{
		{Model: "big", Relation: "big", Format: CSV},
		{Model: "big_sorted", Relation: "big", Format: CSV, OrderBy: []string{"g DESC"}},
		{Model: "big_parquet", Relation: "big", Format: Parquet},
		{Model: "big_parts", Relation: "big", Format: Parquet, PartitionBy: []string{"g"}},
		chatbotSpec(CSV),
	}
	for _, s := range specs {
		t.Run(s.Model, func(t *testing.T) {
			first := mustWrite(t, db, t.TempDir(), s)
			second := mustWrite(t, db, t.TempDir(), s)
			if !reflect.DeepEqual(first, second) {
				t.Fatalf("reruns differ:\n%+v\n%+v", first, second)
			}
		})
	}
}
