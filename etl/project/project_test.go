package project

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

const minimal = "name: demo\n"

func fsWith(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

func TestLoad(t *testing.T) {
	p, err := Load(fsWith(map[string]string{
		"etl.yml":              minimal + "threads: 3\nvars:\n  x: 1\nlayers:\n  gold:\n    materialized: table\n    exports: [parquet, {format: csv, order_by: a}]\n",
		"models/bronze/a.sql":  "select 1",
		"models/gold/b.sql":    "select 2",
		"models/gold/gold.yml": "models:\n  - name: b\n    description: B\n    columns:\n      - name: id\n        tests: [not_null, {accepted_values: {values: [1, 2], quote: false}}]\n",
		"models/sources.yml":   "seeds:\n  - name: s\n    path: x/s.csv.gz\n",
		"sql/macros/m.sql":     "{% macro m() %}1{% endmacro %}",
		"tests/t.sql":          "select 1 where false",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if p.Threads != 3 || p.Vars["seeds_dir"] != "seeds" || p.Vars["x"] != 1 {
		t.Errorf("settings: %+v", p.Settings)
	}
	a, b := p.Model("a"), p.Model("b")
	if a.Layer != "bronze" || a.Config.Materialized != View {
		t.Errorf("a: %+v", a)
	}
	if b.Config.Materialized != Table || len(b.Config.ExportList()) != 2 || b.Config.ExportList()[1].OrderBy[0] != "a" {
		t.Errorf("b config: %+v", b.Config)
	}
	if len(b.Tests) != 2 || b.Tests[1].Kind != AcceptedValues || b.Tests[1].Quote || b.Tests[1].Line != 6 {
		t.Errorf("b tests: %+v", b.Tests[1])
	}
	s := p.Seed("s")
	if s.Format != "csv" || s.Table != "raw.s" || s.Line != 2 {
		t.Errorf("seed: %+v", s)
	}
	if len(p.Macros) != 1 || len(p.Tests) != 1 || p.Tests[0].Name != "t" {
		t.Errorf("macros %v tests %v", p.Macros, p.Tests)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"unknown key in project file", map[string]string{"etl.yml": minimal + "thread: 2\n"},
			[]string{`etl.yml:2:1: unknown key "thread"`}},
		{"unknown nested key", map[string]string{"etl.yml": minimal + "layers:\n  gold:\n    materialised: table\n"},
			[]string{`etl.yml:4:5: unknown key "materialised"`}},
		{"wrong type", map[string]string{"etl.yml": minimal + "threads: many\n"},
			[]string{"etl.yml:2: cannot unmarshal"}},
		{"yaml syntax", map[string]string{"etl.yml": minimal + "vars: [\n"},
			[]string{"etl.yml:"}},
		{"missing name", map[string]string{"etl.yml": "threads: 1\n"}, []string{"etl.yml: name is required"}},
		{"duplicate model", map[string]string{"etl.yml": minimal, "models/silver/x.sql": "1", "models/gold/x.sql": "2"},
			[]string{`models/silver/x.sql:1: duplicate model name "x" (also models/gold/x.sql:1)`}},
		{"model outside a layer", map[string]string{"etl.yml": minimal, "models/x.sql": "1"},
			[]string{"models/x.sql:1: a model must live in a layer folder"}},
		{"yaml for a missing model", map[string]string{"etl.yml": minimal, "models/gold/g.yml": "models:\n  - name: ghost\n"},
			[]string{`models/gold/g.yml:2:5: model "ghost" has no SQL file`}},
		{"unknown key in model yaml", map[string]string{"etl.yml": minimal, "models/gold/a.sql": "1", "models/gold/g.yml": "models:\n  - name: a\n    colums: []\n"},
			[]string{`models/gold/g.yml:3:5: unknown key "colums"`}},
		{"unknown test", map[string]string{"etl.yml": minimal, "models/gold/a.sql": "1", "models/gold/g.yml": "models:\n  - name: a\n    columns:\n      - name: c\n        tests: [not_nul]\n"},
			[]string{"models/gold/g.yml:5:17: test not_nul on a: unknown test"}},
		{"test missing arguments", map[string]string{"etl.yml": minimal, "models/gold/a.sql": "1", "models/gold/g.yml": "models:\n  - name: a\n    tests:\n      - relationships: {to: ref('b')}\n"},
			[]string{"models/gold/g.yml:4:9: test relationships on a: needs to and field"}},
		{"bad materialization", map[string]string{"etl.yml": minimal, "models/gold/a.sql": "1", "models/gold/g.yml": "models:\n  - name: a\n    config: {materialized: tabel}\n"},
			[]string{"models/gold/g.yml:2: model a: materialized must be one of view, table, incremental"}},
		{"delete+insert without key", map[string]string{"etl.yml": minimal, "models/gold/a.sql": "1", "models/gold/g.yml": "models:\n  - name: a\n    config: {materialized: incremental, incremental_strategy: delete+insert}\n"},
			[]string{"needs a unique_key"}},
		{"batch: key without key", map[string]string{"etl.yml": minimal, "models/gold/a.sql": "1", "models/gold/g.yml": "models:\n  - name: a\n    config: {materialized: incremental, batch: key}\n"},
			[]string{"batch: key replaces rows by their unique_key"}},
		{"batch on a table", map[string]string{"etl.yml": minimal, "models/gold/a.sql": "1", "models/gold/g.yml": "models:\n  - name: a\n    config: {materialized: table, batch: load}\n"},
			[]string{"model a: batch: load needs materialized: incremental (or view, with batch: load)"}},
		{"unknown batch", map[string]string{"etl.yml": minimal, "models/gold/a.sql": "1", "models/gold/g.yml": "models:\n  - name: a\n    config: {materialized: incremental, batch: hourly}\n"},
			[]string{"batch must be load or key"}},
		{"bad export format", map[string]string{"etl.yml": minimal + "layers:\n  gold:\n    exports: [xlsx]\n", "models/gold/a.sql": "1"},
			[]string{"models/gold/a.sql:1: export format must be parquet or csv"}},
		{"two exports to one folder", map[string]string{"etl.yml": minimal, "models/gold/a.sql": "1", "models/gold/g.yml": "models:\n  - name: a\n    exports: [{format: parquet, partition_by: day}, {format: csv, partition_by: day}]\n"},
			[]string{"models/gold/g.yml:2: model a: two exports write to <model>/; give one of them its own path"}},
		{"sqlite seed without a table", map[string]string{"etl.yml": minimal, "models/s.yml": "seeds:\n  - {name: a, path: a.db}\n"},
			[]string{"models/s.yml:2:5: seed a: a SQLite seed reads either a sqlite_table or a sqlite_query"}},
		{"sqlite_table on a CSV seed", map[string]string{"etl.yml": minimal, "models/s.yml": "seeds:\n  - {name: a, path: a.csv, sqlite_table: t}\n"},
			[]string{"models/s.yml:2:5: seed a: sqlite_table and sqlite_query are for format: sqlite"}},
		{"compact_after out of range", map[string]string{"etl.yml": minimal, "models/gold/a.sql": "1", "models/gold/g.yml": "models:\n  - name: a\n    exports: [{format: csv, partition_by: day, segment: {column: t, width: 1 hour, compact_after: -1}}]\n"},
			[]string{"models/gold/g.yml:2: model a: export segment compact_after must be between 0 and 9998, got -1"}},
		{"absolute export path", exportAt("/srv/bi/a.csv"), []string{`models/gold/g.yml:2: model a: export path "/srv/bi/a.csv" must be relative to the output folder`}},
		{"windows export path", exportAt(`C:\\bi\\a.csv`), []string{`must be relative to the output folder`}},
		{"export path leaving the output", exportAt("bi/../../a.csv"), []string{`models/gold/g.yml:2: model a: export path "bi/../../a.csv" leaves the output folder`}},
		{"export path on the manifest", exportAt("./_manifest.json"), []string{`is the output manifest's`}},
		{"hidden export path", exportAt("bi/.staging-x/a.csv"), []string{`has a hidden part ".staging-x"`}},
		{"duplicate seed and bad format", map[string]string{"etl.yml": minimal, "models/s.yml": "seeds:\n  - {name: a, path: a.csv}\n  - {name: a, path: b.csv}\n  - {name: c, path: c.xml}\n"},
			[]string{`models/s.yml:3:5: duplicate seed "a" (also models/s.yml:2)`, "models/s.yml:4:5: seed c: format must be csv, json, ndjson or sqlite"}},
		{"several errors at once", map[string]string{"etl.yml": minimal, "models/gold/a.yml": "models:\n  - name: x\n", "models/gold/b.yml": "models:\n  - name: y\n"},
			[]string{`models/gold/a.yml:2:5: model "x"`, `models/gold/b.yml:2:5: model "y"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(fsWith(tc.files))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestParseVars(t *testing.T) {
	for _, text := range []string{"{seeds_dir: /x, n: 2}", `{"seeds_dir": "/x", "n": 2}`} {
		v, err := ParseVars(text)
		if err != nil || v["seeds_dir"] != "/x" || v["n"] != 2 {
			t.Errorf("%s: %v %v", text, v, err)
		}
	}
	if _, err := ParseVars("[1, 2]"); err == nil {
		t.Error("a list is not a mapping")
	}
	p := &Project{Settings: Settings{Vars: map[string]any{"a": 1, "b": 2}}}
	if got := p.WithVars(map[string]any{"b": 3}); got["a"] != 1 || got["b"] != 3 || p.Vars["b"] != 2 {
		t.Errorf("WithVars: %v, project vars %v", got, p.Vars)
	}
}

func FuzzLoadYAML(f *testing.F) {
	f.Add("models:\n  - name: a\n    tests: [not_null]\n")
	f.Add("seeds:\n  - {name: a, path: a.csv}\n")
	f.Add("models: [{name: a, config: {exports: [csv]}}]\n")
	f.Add(":\n- [")
	f.Fuzz(func(t *testing.T, yml string) {
		p, err := Load(fsWith(map[string]string{"etl.yml": minimal, "models/gold/a.sql": "select 1", "models/gold/a.yml": yml}))
		checkLoad(t, p, err)
	})
}

// FuzzLoadProjectFile feeds etl.yml any text: the load never panics, an
// error names the file it is about, and a project that loads is valid.
func FuzzLoadProjectFile(f *testing.F) {
	f.Add(minimal)
	f.Add("name: demo\nthreads: 4\nvars: {seeds_dir: landing, x: 1}\nlayers:\n  gold: {materialized: table, exports: [parquet, csv]}\n")
	f.Add("name: demo\nlayers:\n  gold:\n    exports: [{format: csv, path: /abs.csv}]\n")
	f.Add("name: demo\nlayers: {gold: {batch: key}}\n")
	f.Add("name: [\n")
	f.Add("threads: -1\n")
	f.Add("name: demo\nunknown_key: 1\n")
	f.Add("name: demo\nvars: &a [*a]\n")
	f.Fuzz(func(t *testing.T, yml string) {
		p, err := Load(fsWith(map[string]string{"etl.yml": yml, "models/gold/a.sql": "select 1", "models/gold/a.yml": "models:\n  - name: a\n"}))
		checkLoad(t, p, err)
	})
}

// checkLoad holds a fuzzed load to what a user relies on: every error line
// names the project file it is about; a loaded project has a name and
// valid models.
func checkLoad(t *testing.T, p *Project, err error) {
	t.Helper()
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, FileName) && !strings.HasPrefix(line, ModelsDir+"/") {
				t.Fatalf("error line %q does not name a project file", line)
			}
		}
		return
	}
	if p.Name == "" {
		t.Fatal("a project without a name loaded")
	}
	for _, m := range p.Models {
		if verr := m.Config.Validate(); verr != nil {
			t.Fatalf("model %s loaded with an invalid config: %v", m.Name, verr)
		}
	}
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct{ dir, p, want string }{
		{"proj", "target/warehouse.duckdb", "proj/target/warehouse.duckdb"},
		{"proj", "/data/out", "/data/out"},
		{"proj", "", ""},
		{".", "output", "output"},
	} {
		if got := Resolve(tc.dir, tc.p); got != tc.want {
			t.Errorf("Resolve(%q, %q) = %q, want %q", tc.dir, tc.p, got, tc.want)
		}
	}
}

// exportAt is a project whose model a has one CSV export at path p.
func exportAt(p string) map[string]string {
	return map[string]string{"etl.yml": minimal, "models/gold/a.sql": "1",
		"models/gold/g.yml": fmt.Sprintf("models:\n  - name: a\n    exports: [{format: csv, path: %q}]\n", p)}
}

func TestValidOutputPath(t *testing.T) {
	for _, ok := range []string{"", "a.csv", "bi/a..b.csv", "bi/./a.csv", "bi/x/../a.csv"} {
		if err := validOutputPath(ok); err != nil {
			t.Errorf("validOutputPath(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"/a.csv", "..", "../a.csv", `..\a.csv`, "a/../../b", ".", "_manifest.json", ".hidden/a.csv", `\\server\share\a.csv`, "D:a.csv"} {
		if err := validOutputPath(bad); err == nil {
			t.Errorf("validOutputPath(%q) = nil, want an error", bad)
		}
	}
}

func TestSQLiteSeed(t *testing.T) {
	p, err := Load(fsWith(map[string]string{"etl.yml": minimal,
		"models/s.yml": "seeds:\n  - {name: a, path: x/users.sqlite3, sqlite_table: 'user \"info\"'}\n  - {name: b, path: x/u.db, format: sqlite, sqlite_query: SELECT 1 AS n}\n"}))
	if err != nil {
		t.Fatal(err)
	}
	a, b := p.Seed("a"), p.Seed("b")
	if a.Format != "sqlite" || a.SQLiteTable != `user "info"` {
		t.Errorf("seed a: format %q, table %q", a.Format, a.SQLiteTable)
	}
	if b.Format != "sqlite" || b.SQLiteQuery != "SELECT 1 AS n" {
		t.Errorf("seed b: format %q, query %q", b.Format, b.SQLiteQuery)
	}
}
