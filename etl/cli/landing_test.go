package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// modelRows reads every CSV output of a run as one list of lines per output
// (a file, or a folder of partitions): its distinct headers, then its rows,
// sorted. That is what a reader of the outputs sees, whichever files an
// incremental run chose to add or rewrite.
func modelRows(t *testing.T, dir string) map[string][]string {
	t.Helper()
	headers, rows := map[string][]string{}, map[string][]string{}
	for rel, text := range csvOutputs(t, dir) {
		out := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		if !slices.Contains(headers[out], lines[0]) {
			headers[out] = append(headers[out], lines[0])
		}
		rows[out] = append(rows[out], lines[1:]...)
	}
	for out, h := range headers {
		slices.Sort(h)
		slices.Sort(rows[out])
		rows[out] = append(h, rows[out]...)
	}
	return rows
}

func sameRows(t *testing.T, what string, got, want map[string][]string) {
	t.Helper()
	for out, w := range want {
		if !slices.Equal(got[out], w) {
			t.Errorf("%s: %s differs from a clean build (%d lines, want %d)", what, out, len(got[out]), len(w))
		}
	}
	for out := range got {
		if _, ok := want[out]; !ok {
			t.Errorf("%s: %s is not in a clean build", what, out)
		}
	}
}

// cleanBuild builds a fresh copy of the project on landing and returns its
// outputs.
func cleanBuild(t *testing.T, landing string) map[string][]string {
	t.Helper()
	dir := copyProject(t)
	etl(t, dir, "build", "--vars", "{seeds_dir: "+landing+"}").must(t, 0)
	return modelRows(t, dir)
}

// A nightly job points the same warehouse at a new landing folder each
// night, or lands files in the same folder all day. Whatever the folder
// holds, the run succeeds and its outputs are those of a clean build on
// that folder: an identical copy elsewhere (every file "removed" and
// "added"), a copy with a notification file and a CDC file gone, then, in
// place, files replaced and a late file added.
func TestLandingFolderChangesEqualCleanBuild(t *testing.T) {
	dir := copyProject(t)
	etl(t, dir, "build").must(t, 0)

	nights := []struct {
		name    string
		inPlace bool // change the previous night's folder instead of a copy
		change  func(t *testing.T, landing string)
	}{
		{"an identical copy in another folder", false, func(*testing.T, string) {}},
		{"a notification file and a CDC file removed", false, func(t *testing.T, landing string) {
			for _, f := range []string{"notifications/2020-02-04T00-01.jsonl.gz", "ecommerce_cdc/0003-changes.jsonl"} {
				if err := os.Remove(filepath.Join(landing, f)); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"a notification file and a CDC file replaced", true, func(t *testing.T, landing string) {
			for _, f := range []string{"notifications/2020-02-03T23-58.jsonl", "ecommerce_cdc/0005-changes.jsonl"} {
				p := filepath.Join(landing, f)
				lines := strings.SplitAfter(read(t, p), "\n")
				write(t, p, strings.Join(lines[:len(lines)/2], ""))
			}
		}},
		{"a late notification file with an earlier copy of a message", true, func(t *testing.T, landing string) {
			ev := seedEvents(t, filepath.Join(landing, "notifications/2020-02-04T00-02.jsonl"))
			write(t, filepath.Join(landing, "notifications/2020-02-04T00-07.jsonl"),
				notifLine(ev[0]["customer_id"].(string), ev[0]["message_id"].(string), "whatsapp", "2020-02-03T23:58:30.000+00:00")+
					notifLine("C9001", "late-1", "whatsapp", "2020-02-03T23:59:10.000+00:00"))
		}},
	}
	prev := filepath.Join(repoRoot, "seeds")
	for i, night := range nights {
		landing := prev
		if !night.inPlace {
			landing = filepath.Join(t.TempDir(), "landing")
			copyTree(t, prev, landing)
		}
		night.change(t, landing)
		etl(t, dir, "build", "--vars", "{seeds_dir: "+landing+"}").must(t, 0)
		sameRows(t, night.name, modelRows(t, dir), cleanBuild(t, landing))
		if i == len(nights)-1 {
			// The same folder again: nothing to do, nothing changes.
			before := modelRows(t, dir)
			etl(t, dir, "build", "--vars", "{seeds_dir: "+landing+"}").must(t, 0).contains(t, "0 loaded, 7 unchanged files")
			sameRows(t, "a rerun on the same folder", modelRows(t, dir), before)
		}
		prev = landing
	}
}
