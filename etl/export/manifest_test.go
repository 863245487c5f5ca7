package export

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestManifest(t *testing.T) {
	db := openDB(t, salesTable)
	stage, out := t.TempDir(), t.TempDir()
	files := mustWrite(t, db, stage, Spec{Model: "sales", Relation: "sales", Format: Parquet, PartitionBy: []string{"region"}})
	files = append(files, mustWrite(t, db, stage, Spec{Model: "totals", Relation: "sales", Format: CSV, Path: "reports/totals.csv"})...)
	if err := Publish(stage, out, files); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2020, 2, 3, 12, 0, 0, 0, time.FixedZone("BRT", -3*3600))
	if err := WriteManifest(out, Manifest{RunID: "r1", GeneratedAt: at, Files: files}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		RunID       string `json:"run_id"`
		GeneratedAt string `json:"generated_at"`
		Files       []map[string]any
	}
	data := readText(t, filepath.Join(out, "_manifest.json"))
	if err := json.Unmarshal([]byte(data), &got); err != nil {
		t.Fatal(err)
	}
	if got.RunID != "r1" || got.GeneratedAt != "2020-02-03T15:00:00Z" || len(got.Files) != 3 {
		t.Fatalf("manifest = %s", data)
	}
	var keys []string
	for k := range got.Files[0] {
		keys = append(keys, k)
	}
	wantKeys := []string{"bytes", "columns", "format", "model", "path", "rows", "sha256"}
	if sort.Strings(keys); !reflect.DeepEqual(keys, wantKeys) {
		t.Fatalf("file keys = %v, want %v", keys, wantKeys)
	}
	f := got.Files[2]
	if f["path"] != "reports/totals.csv" || f["model"] != "totals" || f["format"] != "csv" || f["rows"] != 3.0 || f["sha256"] != files[2].SHA256 {
		t.Fatalf("file entry = %v", f)
	}
	if cols := f["columns"].([]any); len(cols) != 3 || !reflect.DeepEqual(cols[2], map[string]any{"name": "amount", "type": "DECIMAL(9,2)"}) {
		t.Fatalf("columns = %v", f["columns"])
	}
	if entries, _ := readDirNames(out); !reflect.DeepEqual(entries, []string{"_manifest.json", "reports", "sales"}) {
		t.Fatalf("output dir holds %v (temp file left?)", entries)
	}
}

func TestManifestRejectsMissingFile(t *testing.T) {
	out := t.TempDir()
	err := WriteManifest(out, Manifest{RunID: "r", Files: []File{{Path: "ghost.csv"}}})
	if err == nil || !strings.Contains(err.Error(), "ghost.csv") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "_manifest.json")); !os.IsNotExist(err) {
		t.Fatalf("manifest written despite the error")
	}
	if err := WriteManifest(out, Manifest{RunID: "empty"}); err != nil {
		t.Fatal(err)
	}
	if data := readText(t, filepath.Join(out, "_manifest.json")); !strings.Contains(data, `"files": []`) {
		t.Fatalf("empty manifest = %s", data)
	}
}
