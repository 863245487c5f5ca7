package materialize

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"etlrunner/etl/project"
	"etlrunner/etl/tmpl"
	"etlrunner/etl/warehouse"
)

var target = tmpl.Relation{Schema: "silver", Name: "orders"}

// newConn opens an in-memory warehouse with the schemas the tests use and
// returns one connection: transactions and staging tables live on it.
func newConn(t *testing.T) *sql.Conn {
	t.Helper()
	ctx := context.Background()
	wh, err := warehouse.Open(ctx, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	conn, err := wh.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	exec(t, conn, "CREATE SCHEMA silver", "CREATE SCHEMA raw", "CREATE SCHEMA "+ChangesSchema)
	return conn
}

func exec(t *testing.T, q warehouse.Querier, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := q.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// rows returns a query's rows as "a|b" strings, NULL as "NULL".
func rows(t *testing.T, q warehouse.Querier, query string) []string {
	t.Helper()
	r, err := q.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	_, data, err := warehouse.TextRows(r)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(data))
	for i, row := range data {
		out[i] = strings.Join(row, "|")
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func kind(t *testing.T, q warehouse.Querier, r tmpl.Relation) string {
	t.Helper()
	k, err := warehouse.RelationKind(context.Background(), q, r.Schema, r.Name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func fixed(sql string) func(bool) (string, error) {
	return func(bool) (string, error) { return sql, nil }
}

func cfg(materialized string, rejects bool) project.Config {
	return project.Config{Materialized: materialized, Rejects: &rejects}
}

func TestViewAndTable(t *testing.T) {
	const query = "SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) t(id, name)"
	cases := []struct {
		materialized, kind, message string
		rows                        int64
	}{
		{project.View, "view", "CREATE VIEW", 0},
		{project.Table, "table", "CREATE TABLE", 3},
	}
	for _, tc := range cases {
		t.Run(tc.materialized, func(t *testing.T) {
			conn := newConn(t)
			res, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: cfg(tc.materialized, false), Render: fixed(query)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Message != tc.message || res.Rows != tc.rows || res.Rejected != 0 || res.SQL != query {
				t.Errorf("result %+v", res)
			}
			if got := kind(t, conn, target); got != tc.kind {
				t.Errorf("relation is a %q", got)
			}
			equal(t, "rows", rows(t, conn, `SELECT * FROM silver.orders ORDER BY id`), []string{"1|a", "2|b", "3|c"})
		})
	}
}

func TestRunUnknownMaterialization(t *testing.T) {
	_, err := Run(context.Background(), Request{Config: project.Config{Materialized: "snapshot"}})
	if err == nil || !strings.Contains(err.Error(), `unknown materialization "snapshot"`) {
		t.Errorf("error = %v", err)
	}
}

func TestRenderErrorIsReturned(t *testing.T) {
	conn := newConn(t)
	for _, m := range []string{project.View, project.Table, project.Incremental} {
		t.Run(m, func(t *testing.T) {
			_, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: cfg(m, false),
				Render: func(bool) (string, error) { return "", errBoom }})
			if err != errBoom {
				t.Errorf("error = %v", err)
			}
			if got := kind(t, conn, target); got != "" {
				t.Errorf("a relation was made: %q", got)
			}
		})
	}
}

type boom struct{}

func (boom) Error() string { return "boom" }

var errBoom error = boom{}

// TestSwitchKinds changes one model between view and table; each step must
// leave exactly the new kind of relation with the new rows.
func TestSwitchKinds(t *testing.T) {
	conn := newConn(t)
	steps := []struct{ materialized, kind string }{
		{project.View, "view"}, {project.Table, "table"}, {project.View, "view"},
		{project.Incremental, "table"}, {project.View, "view"}, {project.Table, "table"}, {project.Table, "table"},
	}
	for i, s := range steps {
		t.Run(s.materialized, func(t *testing.T) {
			query := "SELECT " + string(rune('0'+i)) + " AS step"
			if _, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: cfg(s.materialized, false), Render: fixed(query)}); err != nil {
				t.Fatal(err)
			}
			if got := kind(t, conn, target); got != s.kind {
				t.Errorf("relation is a %q, want %q", got, s.kind)
			}
			equal(t, "rows", rows(t, conn, "SELECT step FROM silver.orders"), []string{string(rune('0' + i))})
		})
	}
}

// TestFailureKeepsRelation: a model whose SQL fails leaves the relation as
// it was, whatever kind it was and whatever kind the model asks for.
func TestFailureKeepsRelation(t *testing.T) {
	const bad = "SELECT no_such_column FROM (SELECT 1 AS id)"
	cases := []struct {
		name, before, materialized string
		rejects                    bool
	}{
		{"table over table", "TABLE", project.Table, false},
		{"table over view", "VIEW", project.Table, false},
		{"view over view", "VIEW", project.View, false},
		{"view over table", "TABLE", project.View, false},
		{"table with rejects over table", "TABLE", project.Table, true},
		{"incremental over table", "TABLE", project.Incremental, false},
		{"incremental over view", "VIEW", project.Incremental, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn := newConn(t)
			exec(t, conn, "CREATE "+tc.before+" silver.orders AS SELECT 42 AS id")
			_, err := Run(context.Background(), Request{Conn: conn, Relation: target, Config: cfg(tc.materialized, tc.rejects), Render: fixed(bad)})
			if err == nil || !strings.Contains(err.Error(), "no_such_column") {
				t.Fatalf("error = %v", err)
			}
			if got := kind(t, conn, target); got != strings.ToLower(tc.before) {
				t.Errorf("relation is now a %q", got)
			}
			equal(t, "rows", rows(t, conn, "SELECT id FROM silver.orders"), []string{"42"})
		})
	}
}

func TestRejectsRelation(t *testing.T) {
	got := RejectsRelation(tmpl.Relation{Schema: "bronze", Name: "invoices"})
	if got.String() != `"bronze"."invoices_rejects"` {
		t.Errorf("rejects relation = %s", got)
	}
}
