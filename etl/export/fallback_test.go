package export

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIncrementalFallsBack(t *testing.T) {
	cases := []struct {
		name string
		// prepare may change the spec, the published files or the table
		// after the changes are recorded.
		prepare func(t *testing.T, db *sql.DB, spec *Spec, out string)
	}{
		{"no previous files", func(t *testing.T, _ *sql.DB, spec *Spec, _ string) { spec.Previous = nil }},
		{"no output dir", func(t *testing.T, _ *sql.DB, spec *Spec, _ string) { spec.OutputDir = "" }},
		{"a previous file is missing", func(t *testing.T, _ *sql.DB, spec *Spec, out string) {
			if err := os.Remove(filepath.Join(out, filepath.FromSlash(spec.Previous[3].Path))); err != nil {
				t.Fatal(err)
			}
		}},
		{"a previous file changed size", func(t *testing.T, _ *sql.DB, spec *Spec, out string) {
			p := filepath.Join(out, filepath.FromSlash(spec.Previous[3].Path))
			writeText(t, p, readText(t, p)+"x")
		}},
		{"previous was empty", func(t *testing.T, _ *sql.DB, spec *Spec, _ string) {
			spec.Previous = []File{{Path: spec.Path + "/", Model: spec.Model, Format: spec.Format, Empty: true}}
		}},
		{"a previous file lies outside the export", func(t *testing.T, _ *sql.DB, spec *Spec, out string) {
			f := &spec.Previous[3]
			dst := filepath.Join(out, "other", filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			writeText(t, dst, readText(t, filepath.Join(out, filepath.FromSlash(f.Path))))
			f.Path = "other/" + f.Path
		}},
		{"columns changed", func(t *testing.T, db *sql.DB, _ *Spec, _ string) {
			execAll(t, db, `ALTER TABLE notif ADD COLUMN priority INTEGER DEFAULT 1`)
		}},
		{"segment width changed", func(t *testing.T, _ *sql.DB, spec *Spec, _ string) {
			spec.Segment = &Segment{Column: "sent_at", Width: "3 hours"}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, notifTable)
			spec := notifSpecs(CSV)[0]
			spec, err := normalize(spec)
			if err != nil {
				t.Fatal(err)
			}
			out := publishFull(t, db, spec)
			recordChanges(t, db, notifChanges[0])
			inc := incremental(spec, out, published(t, out))
			tc.prepare(t, db, &inc, out)
			stage := t.TempDir()
			got := mustWrite(t, db, stage, inc)
			if carried := linked(t, out, stage, got); len(carried) != 0 {
				t.Fatalf("carried %q instead of writing everything", carried)
			}
			full := inc
			full.Changes, full.Previous = "", nil
			assertLikeFull(t, db, full, stage, got)
		})
	}
}

func TestIncrementalChangesMustPlaceRows(t *testing.T) {
	db := openDB(t, notifTable)
	spec := notifSpecs(Parquet)[0]
	out := publishFull(t, db, spec)
	execAll(t, db, `CREATE TABLE changes AS SELECT id, CAST(day AS VARCHAR) AS day, sent_at FROM notif LIMIT 1`,
		`CREATE TABLE changes_no_day AS SELECT id, sent_at FROM notif LIMIT 1`)
	cases := []struct {
		changes string
		want    string
	}{
		{"changes", `column "day" has type VARCHAR, the relation has DATE`},
		{"changes_no_day", `changes changes_no_day lacks column "day"`},
	}
	for _, tc := range cases {
		t.Run(tc.changes, func(t *testing.T) {
			inc := incremental(spec, out, published(t, out))
			inc.Changes = tc.changes
			_, err := Write(context.Background(), db, t.TempDir(), inc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestChangesIgnoredForSingleFiles(t *testing.T) {
	db := openDB(t, salesTable)
	stage := t.TempDir()
	files := mustWrite(t, db, stage, Spec{Model: "m", Relation: "sales", Format: CSV, Changes: `"no"."such"`, OutputDir: t.TempDir()})
	if len(files) != 1 || files[0].Path != "m.csv" || files[0].Rows != 3 {
		t.Fatalf("files = %+v", files)
	}
}
