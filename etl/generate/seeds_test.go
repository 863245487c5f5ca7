package generate

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// The project's committed seeds are exactly what `etl generate FAMILY`
// writes with its defaults (seed 1, the family's default size): nobody
// edits them by hand, and a generator change must regenerate them.
func TestCommittedSeedsAreGenerated(t *testing.T) {
	const seeds = "../../seeds"
	for _, f := range Families() {
		t.Run(f.Name, func(t *testing.T) {
			out := t.TempDir()
			if err := Run(context.Background(), f.Name, Options{Seed: 1, Out: out}); err != nil {
				t.Fatal(err)
			}
			n := 0
			folders := map[string]bool{} // folders the family owns, below seeds/
			err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(out, p)
				if dir := filepath.Dir(rel); dir != "." {
					folders[dir] = true
				}
				got, _ := os.ReadFile(p)
				want, err := os.ReadFile(filepath.Join(seeds, rel))
				if err != nil {
					t.Errorf("%s: generated but not committed: %v", rel, err)
					return nil
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: committed seed differs from the generator's output (regenerate: etl generate %s --out seeds)", rel, f.Name)
				}
				n++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatal("the generator wrote nothing")
			}
			// A committed file in the family's folders that the generator no
			// longer writes would still be loaded by every run.
			for dir := range folders {
				entries, err := os.ReadDir(filepath.Join(seeds, dir))
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range entries {
					if _, err := os.Stat(filepath.Join(out, dir, e.Name())); err != nil {
						t.Errorf("%s/%s is committed but not generated", dir, e.Name())
					}
				}
			}
		})
	}
}
