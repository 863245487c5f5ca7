package serve

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"etlrunner/etl/export"
)

// A build renames its new files in, then writes the manifest. In between,
// a file differs from what the manifest says: the request waits for the
// manifest (here, not at all) and says so with 503, never answering from
// a mix.
func TestPublishInProgress(t *testing.T) {
	out := writeOutputs(t, t.TempDir())
	_, srv := start(t, Options{OutputDir: out, Wait: time.Nanosecond})
	if p := rows(t, srv, "/api/models/sales/rows?region=east"); p.Total != 1 {
		t.Fatalf("before: %+v", p)
	}
	// The next run changes the rows of east and publishes sales.parquet.
	ctx := context.Background()
	w := openFixtureDB(t)
	if _, err := w.ExecContext(ctx, "UPDATE sales SET region = 'EAST' WHERE region = 'east'"); err != nil {
		t.Fatal(err)
	}
	stage := filepath.Join(out, ".staging-2")
	files, err := export.Write(ctx, w, stage, export.Spec{Model: "sales", Relation: "sales", Format: export.Parquet, OrderBy: []string{"id"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := export.Publish(stage, out, files); err != nil {
		t.Fatal(err)
	}
	r := get(t, srv, "/api/models/sales/rows?region=east").must(t, http.StatusServiceUnavailable)
	if r.header.Get("Retry-After") != "1" || !strings.Contains(r.body, "publishing") {
		t.Errorf("mid-publish: %v %s", r.header, r.body)
	}
	get(t, srv, "/api/models").must(t, http.StatusServiceUnavailable)
	// Other models' files are as listed: they answer.
	rows(t, srv, "/api/models/events/rows")

	var man export.Manifest
	readJSON(t, filepath.Join(out, export.ManifestName), &man)
	for i, f := range man.Files {
		if f.Path == files[0].Path {
			man.Files[i] = files[0]
		}
	}
	man.RunID = "run-2"
	if err := export.WriteManifest(out, man); err != nil {
		t.Fatal(err)
	}
	if p := rows(t, srv, "/api/models/sales/rows?region=EAST"); p.Total != 1 {
		t.Errorf("after the manifest: %+v", p)
	}
	// A listed file that is gone is a publish in progress as well.
	if err := os.Remove(filepath.Join(out, "events", "day=2020-02-03", "data_0.parquet")); err != nil {
		t.Fatal(err)
	}
	get(t, srv, "/api/models/events/rows").must(t, http.StatusServiceUnavailable)
}

// A file newer than the manifest is the listed file when it has the bytes
// the manifest lists (a copy of the output folder, say), and one being
// published when not, even at the same size.
func TestNewerFile(t *testing.T) {
	out := writeOutputs(t, t.TempDir())
	_, srv := start(t, Options{OutputDir: out, Wait: time.Nanosecond})
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(out, "sales.parquet"), later, later); err != nil {
		t.Fatal(err)
	}
	if p := rows(t, srv, "/api/models/sales/rows"); p.Total != 10 {
		t.Errorf("%+v", p)
	}

	var man export.Manifest
	readJSON(t, filepath.Join(out, export.ManifestName), &man)
	for i, f := range man.Files {
		if f.Path == "sales.parquet" {
			man.Files[i].SHA256 = strings.Repeat("0", 64)
		}
	}
	if err := export.WriteManifest(out, man); err != nil {
		t.Fatal(err)
	}
	get(t, srv, "/api/models/sales/rows").must(t, http.StatusServiceUnavailable)
	// Not newer than the manifest: the file is trusted on its size.
	earlier := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(out, "sales.parquet"), earlier, earlier); err != nil {
		t.Fatal(err)
	}
	rows(t, srv, "/api/models/sales/rows")
}
