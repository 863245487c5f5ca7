package cli

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the expected files of testdata/e2e from the actual outputs")

// e2eCase is testdata/e2e/<name>/case.yml. The case runs on a copy of the
// repository's project; after its steps, every file under the case's
// expected/ folder must equal the project's file at the same path, byte for
// byte, and every path under absent must not exist. A case with a landing/
// folder runs on a copy of it as seeds_dir.
type e2eCase struct {
	Description string `yaml:"description"`
	// Seeds builds a landing folder from the reference data sets (path in the
	// folder -> path under shared/reference-data) and points seeds_dir at it.
	Seeds  map[string]string `yaml:"seeds"`
	Steps  []e2eStep         `yaml:"steps"`
	Absent []string          `yaml:"absent"`
}

type e2eStep struct {
	Write  map[string]string `yaml:"write"`  // project files to write first; $LANDING/x writes into the landing folder
	Remove []string          `yaml:"remove"` // project files to delete first
	Args   []string          `yaml:"args"`
	Exit   int               `yaml:"exit"`
	Output []string          `yaml:"output"` // substrings of stdout+stderr
}

func TestEndToEnd(t *testing.T) {
	cases, err := filepath.Glob("testdata/e2e/*/case.yml")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range cases {
		caseDir := filepath.Dir(file)
		t.Run(filepath.Base(caseDir), func(t *testing.T) {
			var c e2eCase
			dec := yaml.NewDecoder(strings.NewReader(read(t, file)))
			dec.KnownFields(true)
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			runCase(t, caseDir, c)
		})
	}
}

func runCase(t *testing.T, caseDir string, c e2eCase) {
	dir := copyProject(t)
	var extra []string
	seeds := t.TempDir()
	if _, err := os.Stat(filepath.Join(caseDir, "landing")); err == nil {
		copyTree(t, filepath.Join(caseDir, "landing"), seeds)
		extra = []string{"--vars", "{seeds_dir: " + seeds + "}"}
	}
	if len(c.Seeds) > 0 {
		needShared(t)
		for to, from := range c.Seeds {
			write(t, filepath.Join(seeds, to), read(t, filepath.Join(sharedDir, from)))
		}
		extra = []string{"--vars", "{seeds_dir: " + seeds + "}"}
	}
	for i, s := range c.Steps {
		for p, text := range s.Write {
			target := filepath.Join(dir, p)
			if rest, ok := strings.CutPrefix(p, "$LANDING/"); ok {
				target = filepath.Join(seeds, rest)
			}
			write(t, target, text)
		}
		for _, p := range s.Remove {
			if err := os.RemoveAll(filepath.Join(dir, p)); err != nil {
				t.Fatal(err)
			}
		}
		args := append(append([]string(nil), s.Args...), extra...)
		r := etl(t, dir, args...)
		if r.code != s.Exit {
			t.Fatalf("step %d (%v): exit %d, want %d\nstdout:\n%s\nstderr:\n%s", i+1, s.Args, r.code, s.Exit, r.stdout, r.stderr)
		}
		r.contains(t, s.Output...)
	}
	for _, p := range c.Absent {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("%s exists, but the case says it must not", p)
		}
	}
	compareExpected(t, filepath.Join(caseDir, "expected"), dir)
}

// compareExpected checks each expected file against the project's; with
// -update it copies the actual file over the expected one instead.
func compareExpected(t *testing.T, expectedDir, dir string) {
	if _, err := os.Stat(expectedDir); err != nil {
		return
	}
	for rel, want := range snapshot(t, expectedDir) {
		actual := filepath.Join(dir, filepath.FromSlash(rel))
		got, err := os.ReadFile(actual)
		if *update && err == nil {
			write(t, filepath.Join(expectedDir, rel), string(got))
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if string(got) != want {
			t.Errorf("%s differs\n--- got\n%s--- want\n%s", rel, got, want)
		}
	}
}
