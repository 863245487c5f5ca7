package export

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// notifTable holds messages every 37 minutes over ten days, plus rows
// without a time or a day.
const notifTable = `CREATE TABLE notif AS
	SELECT i AS id, CAST(ts AS DATE) AS day, ts AS sent_at, 'ch' || (i % 3) AS channel, 'msg ' || i AS body
	FROM (SELECT i, TIMESTAMP '2020-02-01 00:00:00' + INTERVAL (i * 37) MINUTE AS ts FROM range(400) r(i))
	UNION ALL SELECT * FROM (VALUES (900, NULL::DATE, NULL::TIMESTAMP, 'ch0', 'no time'), (901, DATE '2020-02-02', NULL, 'ch1', 'no time, a day'))`

// notifChanges touch a few files in every way a run can.
var notifChanges = []string{
	`INSERT INTO notif VALUES (1001, DATE '2020-02-02', TIMESTAMP '2020-02-02 07:00:00', 'ch1', 'into an existing segment')`,
	`INSERT INTO notif VALUES (1002, DATE '2020-03-01', TIMESTAMP '2020-03-01 12:00:00', 'ch2', 'into a new partition')`,
	`DELETE FROM notif WHERE id = 5`,
	// Another segment and another partition.
	`UPDATE notif SET sent_at = sent_at + INTERVAL 54 HOUR, day = CAST(sent_at + INTERVAL 54 HOUR AS DATE) WHERE id = 20`,
	`DELETE FROM notif WHERE sent_at >= TIMESTAMP '2020-02-03 06:00' AND sent_at < TIMESTAMP '2020-02-03 12:00'`,
	`DELETE FROM notif WHERE day = DATE '2020-02-05'`,
	`UPDATE notif SET body = 'still no time' WHERE id = 900`,
}

// recordChanges applies mods to notif and stores in "changes" every row
// they deleted or inserted, with an extra column as a change feed has.
func recordChanges(t *testing.T, db *sql.DB, mods ...string) {
	t.Helper()
	execAll(t, db, `CREATE OR REPLACE TABLE before_changes AS SELECT * FROM notif`)
	execAll(t, db, mods...)
	execAll(t, db, `CREATE OR REPLACE TABLE changes AS
		SELECT *, 'deleted' AS op FROM (SELECT * FROM before_changes EXCEPT ALL SELECT * FROM notif)
		UNION ALL
		SELECT *, 'inserted' AS op FROM (SELECT * FROM notif EXCEPT ALL SELECT * FROM before_changes)`)
}

// publishFull writes spec in full, publishes it into a new output dir with
// its manifest, and returns the dir.
func publishFull(t *testing.T, db *sql.DB, spec Spec) string {
	t.Helper()
	out, stage := t.TempDir(), t.TempDir()
	files := mustWrite(t, db, stage, spec)
	if err := Publish(stage, out, files); err != nil {
		t.Fatal(err)
	}
	if err := WriteManifest(out, Manifest{RunID: "r1", Files: files}); err != nil {
		t.Fatal(err)
	}
	return out
}

// published reads the files of the manifest in out, as a runner would.
func published(t *testing.T, out string) []File {
	t.Helper()
	var m Manifest
	if err := json.Unmarshal([]byte(readText(t, filepath.Join(out, ManifestName))), &m); err != nil {
		t.Fatal(err)
	}
	return m.Files
}

func incremental(spec Spec, out string, prev []File) Spec {
	spec.Changes, spec.Previous, spec.OutputDir = "changes", prev, out
	return spec
}

// assertLikeFull checks that got (staged in stage) lists and holds exactly
// what a fresh full write of spec produces.
func assertLikeFull(t *testing.T, db *sql.DB, spec Spec, stage string, got []File) {
	t.Helper()
	fullStage := t.TempDir()
	want := mustWrite(t, db, fullStage, spec)
	if !reflect.DeepEqual(filePaths(got), filePaths(want)) {
		t.Fatalf("files are not in full-write order:\n%q\nwant\n%q", filePaths(got), filePaths(want))
	}
	byPath := func(files []File) []File {
		return slices.SortedFunc(slices.Values(files), func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	}
	if g, w := byPath(got), byPath(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("files differ from a full write:\n%+v\nwant\n%+v", g, w)
	}
	noManifest := func(paths []string) []string {
		return slices.DeleteFunc(paths, func(p string) bool { return p == ManifestName })
	}
	if g, w := noManifest(tree(t, stage)), tree(t, fullStage); !reflect.DeepEqual(g, w) {
		t.Fatalf("stage holds %q, a full write %q", g, w)
	}
	for _, f := range want {
		if f.Empty {
			continue
		}
		a, b := readText(t, staged(stage, f.Path)), readText(t, staged(fullStage, f.Path))
		if !bytes.Equal([]byte(a), []byte(b)) {
			t.Fatalf("%s differs from a full write", f.Path)
		}
	}
}

// linked lists the staged files that are hard links of published ones.
func linked(t *testing.T, out, stage string, files []File) []string {
	t.Helper()
	var paths []string
	for _, f := range files {
		a, errA := os.Stat(filepath.Join(out, filepath.FromSlash(f.Path)))
		b, errB := os.Stat(staged(stage, f.Path))
		if errA == nil && errB == nil && os.SameFile(a, b) {
			paths = append(paths, f.Path)
		}
	}
	return paths
}

// touchedPaths spells out, independently of the layout code, the files the
// rows of "changes" fall in for one of notifSpecs.
func touchedPaths(t *testing.T, db *sql.DB, spec Spec) map[string]bool {
	t.Helper()
	spec, err := normalize(spec)
	if err != nil {
		t.Fatal(err)
	}
	dir, name := "''", "'data_0'"
	if len(spec.PartitionBy) > 0 {
		dir = "'day=' || coalesce(CAST(day AS VARCHAR), '__HIVE_DEFAULT_PARTITION__') || '/'"
	}
	if spec.Segment != nil {
		name = "'part-' || coalesce(strftime(time_bucket(INTERVAL '6 hours', sent_at), '%Y%m%dT%H%M%S'), 'null')"
	}
	rows, err := db.QueryContext(context.Background(), "SELECT DISTINCT "+dir+" || "+name+" FROM changes")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	paths := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		paths[spec.Path+"/"+p+"."+string(spec.Format)] = true
	}
	return paths
}

func notifSpecs(f Format) []Spec {
	hours := &Segment{Column: "sent_at", Width: "6 hours"}
	return []Spec{
		{Model: "notif", Relation: "notif", Format: f, PartitionBy: []string{"day"}, Segment: hours, OrderBy: []string{"id"}},
		{Model: "notif", Relation: "notif", Format: f, Segment: hours, Path: "exports/notif"},
		{Model: "notif", Relation: "notif", Format: f, PartitionBy: []string{"day"}, OrderBy: []string{"sent_at DESC"}},
	}
}

func TestIncrementalMatchesFull(t *testing.T) {
	for _, f := range []Format{Parquet, CSV} {
		for _, spec := range notifSpecs(f) {
			name := string(f) + "/" + strings.Join(spec.PartitionBy, ",")
			if spec.Segment != nil {
				name += "/segment"
			}
			t.Run(name, func(t *testing.T) {
				db := openDB(t, notifTable)
				out := publishFull(t, db, spec)
				recordChanges(t, db, notifChanges...)
				prev := published(t, out)
				stage := t.TempDir()
				got := mustWrite(t, db, stage, incremental(spec, out, prev))
				assertLikeFull(t, db, spec, stage, got)

				carried := linked(t, out, stage, got)
				if len(carried) == 0 || len(carried) == len(got) {
					t.Fatalf("%d of %d files carried over; want some, not all", len(carried), len(got))
				}
				touched := touchedPaths(t, db, spec)
				for _, f := range got {
					if isCarried := slices.Contains(carried, f.Path); isCarried == touched[f.Path] {
						t.Errorf("%s: carried %v, touched by the changes %v", f.Path, isCarried, touched[f.Path])
					}
				}
				if len(spec.PartitionBy) > 0 {
					if _, err := os.Stat(staged(stage, spec.Path+"/day=2020-02-05")); !os.IsNotExist(err) {
						t.Fatalf("emptied partition still staged (%v)", err)
					}
				}
			})
		}
	}
}

func TestIncrementalEmptiesEverything(t *testing.T) {
	db := openDB(t, notifTable)
	spec := notifSpecs(Parquet)[0]
	out := publishFull(t, db, spec)
	recordChanges(t, db, `DELETE FROM notif`)
	stage := t.TempDir()
	got := mustWrite(t, db, stage, incremental(spec, out, published(t, out)))
	if len(got) != 1 || !got[0].Empty || got[0].Path != "notif/" {
		t.Fatalf("files = %+v", got)
	}
	assertLikeFull(t, db, spec, stage, got)
}

func TestPublishLinkedStage(t *testing.T) {
	db := openDB(t, notifTable)
	spec := notifSpecs(Parquet)[0]
	out := publishFull(t, db, spec)
	var files []File
	for round, mods := range [][]string{notifChanges[:3], notifChanges[3:]} {
		recordChanges(t, db, mods...)
		stage := t.TempDir()
		files = mustWrite(t, db, stage, incremental(spec, out, published(t, out)))
		carried := linked(t, out, stage, files)
		if len(carried) == 0 {
			t.Fatalf("round %d carried nothing", round)
		}
		before, err := os.Stat(filepath.Join(out, filepath.FromSlash(carried[0])))
		if err != nil {
			t.Fatal(err)
		}
		// The old directory goes aside and is removed; its files live on
		// through the links in the new one.
		if err := Publish(stage, out, files); err != nil {
			t.Fatalf("round %d: Publish: %v", round, err)
		}
		if err := WriteManifest(out, Manifest{RunID: "r", Files: files}); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		after, err := os.Stat(filepath.Join(out, filepath.FromSlash(carried[0])))
		if err != nil || !os.SameFile(before, after) {
			t.Fatalf("round %d: %s is not the carried file (%v)", round, carried[0], err)
		}
		for _, f := range files {
			sum, size, err := hashFile(filepath.Join(out, filepath.FromSlash(f.Path)))
			if err != nil || sum != f.SHA256 || size != f.Bytes {
				t.Fatalf("round %d: %s published sha %s size %d, recorded %s %d (%v)", round, f.Path, sum, size, f.SHA256, f.Bytes, err)
			}
		}
		if entries, _ := readDirNames(out); !reflect.DeepEqual(entries, []string{ManifestName, "notif"}) {
			t.Fatalf("round %d: output dir holds %v", round, entries)
		}
		if got, want := tree(t, out), append(filePaths(files), ManifestName); !reflect.DeepEqual(got, slices.Sorted(slices.Values(want))) {
			t.Fatalf("round %d: published %q, want %q", round, got, want)
		}
	}
	assertLikeFull(t, db, spec, out, files)
}

func TestCarryCopiesWhenLinkFails(t *testing.T) {
	linkFile = func(string, string) error { return errors.New("invalid cross-device link") }
	t.Cleanup(func() { linkFile = os.Link })
	db := openDB(t, notifTable)
	spec := notifSpecs(CSV)[1]
	out := publishFull(t, db, spec)
	recordChanges(t, db, notifChanges...)
	stage := t.TempDir()
	got := mustWrite(t, db, stage, incremental(spec, out, published(t, out)))
	if carried := linked(t, out, stage, got); len(carried) != 0 {
		t.Fatalf("linked %q although linking fails", carried)
	}
	assertLikeFull(t, db, spec, stage, got)
}
