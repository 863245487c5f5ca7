package cli

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// detailFiles lists the CSV files of notification_detail, relative to its folder.
func detailFiles(t *testing.T, dir string) []string {
	t.Helper()
	root := filepath.Join(dir, "output/notification_detail/csv")
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// A minute's new rows become one added file in their segment by default;
// with compact_after: 0 the segment is written again as one file. Both
// hold the rows of a clean build.
func TestSegmentCompactAfter(t *testing.T) {
	late := notifLine("C1001", "late-compact-1", "whatsapp", "2020-02-04T00:01:30.000+00:00")
	for _, tc := range []struct {
		name, config string
		added        bool
	}{
		{"default", "", true},
		{"compact_after 0", ", compact_after: 0", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyProject(t)
			yml := filepath.Join(dir, "models/gold/notifications.yml")
			write(t, yml, strings.ReplaceAll(read(t, yml), "width: 30 minutes}", "width: 30 minutes"+tc.config+"}"))
			etl(t, dir, "build").must(t, 0)
			before := detailFiles(t, dir)
			write(t, filepath.Join(dir, "seeds/notifications/2020-02-04T00-08.jsonl"), late)
			etl(t, dir, "build").must(t, 0)
			after := detailFiles(t, dir)
			var added []string
			for _, f := range after {
				if strings.Contains(f, "_0001.csv") {
					added = append(added, f)
				}
			}
			if tc.added != (len(added) == 1) || len(after) != len(before)+len(added) {
				t.Errorf("files before %v\nafter %v", before, after)
			}
			sameRows(t, tc.name, modelRows(t, dir), cleanBuild(t, filepath.Join(dir, "seeds")))
		})
	}
}
