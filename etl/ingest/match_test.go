package ingest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMatch(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.csv", "b.csv", "b.csv.gz", "sub/c.csv", "sub/deep/d.csv", "sub/deep/e.json"} {
		writeFile(t, dir, name, "x")
	}
	if err := os.MkdirAll(filepath.Join(dir, "dir.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dir     string
		pattern string
		want    []string
	}{
		{"literal", dir, "a.csv", []string{"a.csv"}},
		{"glob skips directories", dir, "*.csv", []string{"a.csv", "b.csv"}},
		{"gz", dir, "*.csv.gz", []string{"b.csv.gz"}},
		{"one level", dir, "*/*.csv", []string{"sub/c.csv"}},
		{"double star", dir, "**/*.csv", []string{"a.csv", "b.csv", "sub/c.csv", "sub/deep/d.csv"}},
		{"double star in the middle", dir, "sub/**/*.json", []string{"sub/deep/e.json"}},
		{"dot prefix is cleaned", dir, "./sub/c.csv", []string{"sub/c.csv"}},
		{"nothing matches", dir, "missing/*.csv", []string{}},
		{"nothing under a missing root", dir, "missing/**/*.csv", []string{}},
		{"absolute pattern stays absolute", "elsewhere", filepath.Join(dir, "sub", "*.csv"),
			[]string{filepath.Join(dir, "sub", "c.csv")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Match(tc.dir, tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				got = []string{}
			}
			equal(t, "matches", got, tc.want)
		})
	}
	t.Run("bad pattern", func(t *testing.T) {
		for _, p := range []string{"[", "**/["} {
			if _, err := Match(dir, p); err == nil {
				t.Fatalf("%q: want an error", p)
			}
		}
	})
}
