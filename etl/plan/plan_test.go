package plan

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"etlrunner/etl/project"
)

// projectFS builds a project file system; etl.yml defaults to a minimal one.
func projectFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{"etl.yml": {Data: []byte("name: demo\n")}}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

func compile(t *testing.T, files map[string]string) (*Plan, error) {
	t.Helper()
	p, err := project.Load(projectFS(files))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return Compile(context.Background(), p, Options{})
}

func mustCompile(t *testing.T, files map[string]string) *Plan {
	t.Helper()
	pl, err := compile(t, files)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return pl
}

const seedsYAML = `seeds:
  - {name: orders, path: "{{ var('seeds_dir') }}/orders.csv"}
  - {name: customers, path: customers.csv, table: raw.clients}
`

func TestCompileDependencies(t *testing.T) {
	pl := mustCompile(t, map[string]string{
		"models/sources.yml":            seedsYAML,
		"models/silver/stg_orders.sql":  "SELECT * FROM {{ source('raw', 'orders') }}",
		"models/silver/stg_clients.sql": "SELECT * FROM {{ source('raw', 'clients') }}",
		"models/silver/by_seed_name.sql": "SELECT * FROM {{ source('raw', 'customers') }}\n" +
			"UNION ALL SELECT * FROM {{ source('raw', 'clients') }}",
		"models/gold/facts.sql": "{{ config(materialized='incremental') }}\n" +
			"SELECT * FROM {{ ref('stg_orders') }}\n" +
			"{% if is_incremental() %}\nWHERE id IN (SELECT id FROM {{ ref('stg_clients') }})\n{% endif %}\n",
		"models/gold/both.sql": "SELECT * FROM {{ source('raw', 'orders') }} JOIN {{ ref('stg_clients') }} USING (id)",
	})
	cases := []struct {
		node   string
		deps   []string
		source string // quoted relation of Node.Source, "" for none
	}{
		{"model.demo.stg_orders", []string{"seed.demo.orders"}, `"raw"."orders"`},
		{"model.demo.stg_clients", []string{"seed.demo.customers"}, `"raw"."clients"`},
		// The same landing table reached by seed name and table name is one source.
		{"model.demo.by_seed_name", []string{"seed.demo.customers"}, `"raw"."clients"`},
		// A ref inside is_incremental() of an incremental model still counts.
		{"model.demo.facts", []string{"model.demo.stg_clients", "model.demo.stg_orders"}, ""},
		{"model.demo.both", []string{"model.demo.stg_clients", "seed.demo.orders"}, `"raw"."orders"`},
		{"seed.demo.orders", []string{}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.node, func(t *testing.T) {
			n := pl.Nodes[tc.node]
			if n == nil {
				t.Fatalf("no node %s among %v", tc.node, pl.Graph.Nodes())
			}
			if got := pl.Graph.Deps(tc.node); !slices.Equal(got, tc.deps) {
				t.Errorf("deps = %v, want %v", got, tc.deps)
			}
			got := ""
			if n.Source != nil {
				got = n.Source.String()
			}
			if got != tc.source {
				t.Errorf("source = %q, want %q", got, tc.source)
			}
		})
	}
	t.Run("seed pattern is rendered", func(t *testing.T) {
		if got := pl.Nodes["seed.demo.orders"].PatternText(); got != "seeds/orders.csv" {
			t.Errorf("pattern = %q", got)
		}
	})
	t.Run("compiled SQL is the non-incremental render", func(t *testing.T) {
		sql := pl.Model("facts").SQL
		if !strings.Contains(sql, `FROM "silver"."stg_orders"`) || strings.Contains(sql, "stg_clients") {
			t.Errorf("SQL = %q", sql)
		}
		inc, err := pl.Render(context.Background(), pl.Model("facts"), true)
		if err != nil || !strings.Contains(inc, `FROM "silver"."stg_clients"`) {
			t.Errorf("incremental render = %q, %v", inc, err)
		}
	})
}

func TestCompileConfig(t *testing.T) {
	pl := mustCompile(t, map[string]string{
		"etl.yml": "name: demo\nlayers:\n  gold:\n    materialized: table\n    tags: [layer]\n",
		"models/gold/a.sql": "{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=['id', 'day'], tags=['sql']) }}\n" +
			"SELECT 1 AS id, 2 AS day",
		"models/gold/b.sql":   "SELECT 1 AS id",
		"models/gold/c.sql":   "{{ config(materialized='view') }}SELECT 1",
		"models/gold/g.yml":   "models:\n  - name: a\n    config: {materialized: view, tags: [yaml]}\n  - name: c\n    config: {materialized: table}\n",
		"models/gold/d.sql":   "{{ config(enabled=false) }}SELECT 1",
		"models/gold/e.sql":   "SELECT 1",
		"models/gold/e.yml":   "models:\n  - name: e\n    config: {enabled: false}\n",
		"models/silver/f.sql": "{{ config(enabled=true) }}SELECT 1",
	})
	cases := []struct {
		model, materialized, strategy string
		key, tags                     []string
	}{
		{"a", project.Incremental, project.DeleteInsert, []string{"id", "day"}, []string{"layer", "yaml", "sql"}},
		{"b", project.Table, "", nil, []string{"layer"}},
		{"c", project.View, "", nil, []string{"layer"}},
		{"f", project.View, "", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.model, func(t *testing.T) {
			n := pl.Model(tc.model)
			if n == nil {
				t.Fatal("model missing")
			}
			c := n.Config
			if c.Materialized != tc.materialized || c.IncrementalStrategy != tc.strategy ||
				!slices.Equal(c.UniqueKey, tc.key) || !slices.Equal(c.Tags, tc.tags) {
				t.Errorf("config = %+v", c)
			}
		})
	}
	t.Run("the project's model keeps its YAML config", func(t *testing.T) {
		if got := pl.Model("a").Model.Config.Materialized; got != project.View {
			t.Errorf("project model materialized = %q", got)
		}
	})
	for _, name := range []string{"d", "e"} {
		t.Run("disabled "+name, func(t *testing.T) {
			if pl.Model(name) != nil || pl.Graph.Has("model.demo."+name) {
				t.Errorf("%s is disabled and must not be a node", name)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"unknown ref", map[string]string{
			"models/gold/x.sql": "-- reads a missing model\nSELECT *\nFROM {{ ref('nope') }}\n",
		}, []string{`models/gold/x.sql:3:9: ref("nope"): unknown model "nope"`}},
		{"ref to a model disabled in YAML", map[string]string{
			"models/gold/x.sql":   "SELECT * FROM {{ ref('off') }}",
			"models/gold/off.sql": "SELECT 1",
			"models/gold/g.yml":   "models:\n  - name: off\n    config: {enabled: false}\n",
		}, []string{`models/gold/x.sql:1:18: ref("off"): unknown model "off"`}},
		{"ref to a model disabled by its own config()", map[string]string{
			"models/gold/x.sql":        "SELECT * FROM {{ ref('off') }}",
			"models/gold/off.sql":      "{{ config(enabled=false) }}SELECT * FROM {{ ref('also_off') }}",
			"models/gold/also_off.sql": "{{ config(enabled=false) }}SELECT 1",
		}, []string{`models/gold/x.sql:1:18: ref("off"): unknown model "off"`}},
		{"unknown source", map[string]string{
			"models/sources.yml":  seedsYAML,
			"models/silver/x.sql": "SELECT 1\nUNION ALL SELECT * FROM {{ source('raw', 'ghost') }}",
		}, []string{`models/silver/x.sql:2:28: source("raw", "ghost"): unknown source "raw"."ghost"`}},
		{"unknown ref only under is_incremental", map[string]string{
			"models/gold/x.sql": "{{ config(materialized='incremental') }}SELECT 1\n{% if is_incremental() %}\n  WHERE 1 IN (SELECT 1 FROM {{ ref('nope') }})\n{% endif %}",
		}, []string{`models/gold/x.sql:3:`, `unknown model "nope"`}},
		{"every bad model is reported", map[string]string{
			"models/gold/x.sql": "SELECT * FROM {{ ref('nope1') }}",
			"models/gold/y.sql": "SELECT * FROM {{ ref('nope2') }}",
		}, []string{`models/gold/x.sql:1:`, `models/gold/y.sql:1:`}},
		{"cycle", map[string]string{
			"models/silver/a.sql": "SELECT 1 AS x\n\nUNION ALL SELECT * FROM {{ ref('b') }}\n",
			"models/silver/b.sql": "SELECT * FROM {{ ref('a') }}\n",
		}, []string{"models/silver/a.sql:3: dependency cycle: a -> b -> a"}},
		{"cycle through an is_incremental block", map[string]string{
			"models/silver/a.sql": "{{ config(materialized='incremental') }}\nSELECT 1 AS x\n{% if is_incremental() %}\nUNION ALL SELECT * FROM {{ ref('b') }}\n{% endif %}\n",
			"models/silver/b.sql": "SELECT * FROM {{ ref('c') }}\n",
			"models/silver/c.sql": "SELECT * FROM {{ ref('a') }}\n",
		}, []string{"models/silver/a.sql:4: dependency cycle: a -> b -> c -> a"}},
		{"cycle through a not is_incremental block", map[string]string{
			"models/silver/a.sql": "{{ config(materialized='incremental') }}\nSELECT 1 AS x\n{% if not is_incremental() %}\nUNION ALL SELECT * FROM {{ ref('b') }}\n{% endif %}\n",
			"models/silver/b.sql": "SELECT * FROM {{ ref('a') }}\n",
		}, []string{"models/silver/a.sql:4: dependency cycle: a -> b -> a"}},
		{"self reference", map[string]string{
			"models/silver/a.sql": "SELECT 1\n-- again\nUNION ALL SELECT * FROM {{ ref('a') }}\n",
		}, []string{"models/silver/a.sql:3: dependency cycle: a -> a"}},
		{"rejects without a source", map[string]string{
			"models/silver/a.sql": "{{ config(materialized='table', rejects=true) }}SELECT 1 AS x, NULL AS _reject_reason",
		}, []string{"models/silver/a.sql:1: rejects: true needs the model to read exactly one source()"}},
		{"rejects with two sources", map[string]string{
			"models/sources.yml":  seedsYAML,
			"models/silver/a.sql": "SELECT * FROM {{ source('raw', 'orders') }}, {{ source('raw', 'clients') }}",
			"models/silver/a.yml": "models:\n  - name: a\n    config: {rejects: true}\n",
		}, []string{"models/silver/a.sql:1: rejects: true needs"}},
		{"unknown config key", map[string]string{
			"models/silver/a.sql": "{{ config(materialised='table') }}SELECT 1",
		}, []string{"models/silver/a.sql:1: config():", `unknown key "materialised"`}},
		{"invalid config value", map[string]string{
			"models/silver/a.sql": "{{ config(materialized='incremental', incremental_strategy='delete+insert') }}SELECT 1",
		}, []string{"models/silver/a.sql:1: incremental_strategy \"delete+insert\" needs a unique_key"}},
		{"relationships to an unknown model", map[string]string{
			"models/silver/a.sql": "SELECT 1 AS id",
			"models/silver/a.yml": "models:\n  - name: a\n    columns:\n      - name: id\n        tests:\n          - relationships: {to: ref('ghost'), field: id}\n",
		}, []string{`models/silver/a.yml:6: relationships test on a: unknown model "ghost"`}},
		{"singular test with an unknown ref", map[string]string{
			"models/silver/a.sql": "SELECT 1 AS id",
			"tests/t.sql":         "SELECT * FROM {{ ref('ghost') }}",
		}, []string{`tests/t.sql:1:18: ref("ghost"): unknown model`}},
		{"singular test named like a generated test", map[string]string{
			"models/silver/a.sql":     "SELECT 1 AS id",
			"models/silver/a.yml":     "models:\n  - name: a\n    columns:\n      - name: id\n        tests: [not_null]\n",
			"tests/not_null_a_id.sql": "SELECT 1 WHERE false",
		}, []string{"tests/not_null_a_id.sql:1: test name not_null_a_id is already used"}},
		{"same test twice", map[string]string{
			"models/silver/a.sql": "SELECT 1 AS id",
			"models/silver/a.yml": "models:\n  - name: a\n    columns:\n      - name: id\n        tests: [not_null, not_null]\n",
		}, []string{"models/silver/a.yml:5: test not_null_a_id is declared twice"}},
		{"bad seed path template", map[string]string{
			"models/sources.yml": "seeds:\n  - {name: s, path: \"{{ var('nowhere') }}/s.csv\"}\n",
		}, []string{"models/sources.yml:2: seed s path:", `var("nowhere")`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := compile(t, tc.files)
			if err == nil {
				t.Fatalf("no error; nodes %v", pl.Graph.Nodes())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestCycleErrorIsPositioned(t *testing.T) {
	_, err := compile(t, map[string]string{
		"models/silver/a.sql": "SELECT * FROM {{ ref('b') }}",
		"models/silver/b.sql": "SELECT * FROM {{ ref('a') }}",
	})
	var pe *project.Error
	if !errors.As(err, &pe) || pe.File != "models/silver/a.sql" || pe.Line != 1 {
		t.Fatalf("want a *project.Error at models/silver/a.sql:1, got %#v", err)
	}
}

func TestCompileVarsAndEnv(t *testing.T) {
	p, err := project.Load(projectFS(map[string]string{
		"etl.yml":           "name: demo\nvars:\n  limit: 5\n",
		"models/gold/a.sql": "SELECT {{ var('limit') }} AS n, '{{ env_var('WHO', 'nobody') }}' AS who",
	}))
	if err != nil {
		t.Fatal(err)
	}
	env := func(name string) (string, bool) { return map[string]string{"WHO": "me"}[name], name == "WHO" }
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"defaults", Options{}, "SELECT 5 AS n, 'nobody' AS who"},
		{"overrides", Options{Vars: map[string]any{"limit": 7}, EnvVar: env}, "SELECT 7 AS n, 'me' AS who"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := Compile(context.Background(), p, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := pl.Model("a").SQL; got != tc.want {
				t.Errorf("SQL = %q, want %q", got, tc.want)
			}
		})
	}
	if p.Vars["limit"] != 5 {
		t.Errorf("compiling changed the project's vars: %v", p.Vars)
	}
}
