package plan

import (
	"context"
	"slices"
	"strings"
	"testing"

	"etlrunner/etl/project"
	"etlrunner/etl/warehouse"
)

var testsProject = map[string]string{
	"models/sources.yml": "seeds:\n  - {name: orders, path: o.csv}\n",
	"models/silver/orders.sql": "{{ config(materialized='table', rejects=true) }}\n" +
		"SELECT id, CASE WHEN id IS NULL THEN 'no id' END AS _reject_reason FROM {{ source('raw', 'orders') }}",
	"models/silver/customers.sql": "SELECT 1 AS id",
	"models/silver/silver.yml": `models:
  - name: orders
    columns:
      - name: id
        tests:
          - not_null
          - relationships: {to: ref('customers'), field: id, severity: warn}
          - accepted_values: {values: [1, 2], quote: false}
    tests:
      - unique: {columns: [id]}
`,
	"tests/no_big_orders.sql": "SELECT * FROM {{ ref('orders') }} WHERE id > 100",
	"tests/landing_ok.sql":    "SELECT * FROM {{ source('raw', 'orders') }} WHERE false",
}

func TestTestNodes(t *testing.T) {
	pl := mustCompile(t, testsProject)
	cases := []struct {
		id, kind, severity, file string
		deps                     []string
	}{
		{"test.demo.not_null_orders_id", project.NotNull, "error", "models/silver/silver.yml", []string{"model.demo.orders"}},
		{"test.demo.relationships_orders_id_customers", project.Relationships, "warn", "models/silver/silver.yml",
			[]string{"model.demo.customers", "model.demo.orders"}},
		{"test.demo.accepted_values_orders_id", project.AcceptedValues, "error", "models/silver/silver.yml", []string{"model.demo.orders"}},
		{"test.demo.unique_orders_id", project.Unique, "error", "models/silver/silver.yml", []string{"model.demo.orders"}},
		{"test.demo.row_conservation_orders", project.RowConservation, "error", "models/silver/orders.sql", []string{"model.demo.orders"}},
		{"test.demo.no_big_orders", project.Singular, "error", "tests/no_big_orders.sql", []string{"model.demo.orders"}},
		{"test.demo.landing_ok", project.Singular, "error", "tests/landing_ok.sql", []string{"seed.demo.orders"}},
	}
	if got := len(pl.ByKind(TestNode)); got != len(cases) {
		t.Errorf("%d test nodes, want %d", got, len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			n := pl.Nodes[tc.id]
			if n == nil {
				t.Fatalf("no node; have %v", pl.Graph.Nodes())
			}
			if n.Kind != TestNode || n.Test.Kind != tc.kind || n.Test.Severity != tc.severity || n.File != tc.file {
				t.Errorf("node %+v test %+v", n, n.Test)
			}
			if got := pl.Graph.Deps(tc.id); !slices.Equal(got, tc.deps) {
				t.Errorf("deps = %v, want %v", got, tc.deps)
			}
		})
	}
}

// TestTestSQL runs each test's query against tables shaped like the models,
// so the query is checked by DuckDB and not only by its text.
func TestTestSQL(t *testing.T) {
	ctx := context.Background()
	pl := mustCompile(t, testsProject)
	wh, err := warehouse.Open(ctx, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	for _, stmt := range []string{
		"CREATE SCHEMA raw", "CREATE SCHEMA silver",
		"CREATE TABLE raw.orders AS SELECT * FROM (VALUES (1), (2), (200), (NULL), (7)) t(id)",
		// one row lost: the row audit must notice
		"CREATE TABLE silver.orders AS SELECT * FROM (VALUES (1), (2), (200)) t(id)",
		"CREATE TABLE silver.orders_rejects AS SELECT NULL::INT AS id, 'no id' AS _reject_reason",
		"CREATE TABLE silver.customers AS SELECT 1 AS id",
	} {
		if _, err := wh.DB.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	cases := []struct {
		id       string
		contains string
		failures int
	}{
		{"test.demo.not_null_orders_id", `FROM "silver"."orders" WHERE "id" IS NULL`, 0},
		{"test.demo.relationships_orders_id_customers", `"silver"."customers"`, 2},
		{"test.demo.accepted_values_orders_id", "NOT IN (1, 2)", 1},
		{"test.demo.unique_orders_id", "GROUP BY", 0},
		{"test.demo.row_conservation_orders", `"silver"."orders_rejects"`, 1},
		{"test.demo.no_big_orders", `SELECT * FROM "silver"."orders" WHERE id > 100`, 1},
		{"test.demo.landing_ok", `SELECT * FROM "raw"."orders" WHERE false`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			query, err := pl.TestSQL(pl.Nodes[tc.id])
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(query, tc.contains) {
				t.Errorf("query %q lacks %q", query, tc.contains)
			}
			var n int
			if err := wh.DB.QueryRowContext(ctx, "SELECT count(*) FROM ("+query+")").Scan(&n); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			if n != tc.failures {
				t.Errorf("%d failing rows, want %d", n, tc.failures)
			}
		})
	}
}
