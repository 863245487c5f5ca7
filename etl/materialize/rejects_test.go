package materialize

import (
	"context"
	"strings"
	"testing"

	"etlrunner/etl/project"
	"etlrunner/etl/tmpl"
	"etlrunner/etl/warehouse"
)

var source = &tmpl.Relation{Schema: "raw", Name: "orders"}

// landing is a landing table as ingest makes it: every value text, with the
// file and line each row came from.
const landing = `CREATE TABLE raw.orders AS SELECT * FROM (VALUES
	('1', ' 10.50', 'a.csv', 2), ('x', '3', 'a.csv', 3), ('2', 'lots', 'a.csv', 4), ('3', '7', 'b.csv', 2)
) t(id, amount, _source_file, _source_line)`

// typed is a bronze-style model: it types the text and says why a row
// cannot be typed.
const typed = `SELECT TRY_CAST(id AS INT) AS id, TRY_CAST(amount AS DECIMAL(9,2)) AS amount, _source_file, _source_line,
	CASE WHEN TRY_CAST(id AS INT) IS NULL THEN 'bad id'
	     WHEN TRY_CAST(amount AS DECIMAL(9,2)) IS NULL THEN 'bad amount' END AS _reject_reason
FROM raw.orders`

func TestTableRejects(t *testing.T) {
	cases := []struct {
		name        string
		sql         string
		source      *tmpl.Relation
		kept        []string // id, amount of the model
		rejects     string   // query of the rejects table
		rejected    []string
		rejectTypes string // column types of the rejects table
	}{
		{
			name: "lineage joins back to the landing text", sql: typed, source: source,
			kept:        []string{"1|10.50", "3|7.00"},
			rejects:     "SELECT id, amount::VARCHAR, _source_file, _source_line, _reject_reason FROM silver.orders_rejects ORDER BY _source_line",
			rejected:    []string{"x|3|a.csv|3|bad id", "2|lots|a.csv|4|bad amount"},
			rejectTypes: "id VARCHAR, amount VARCHAR, _source_file VARCHAR, _source_line INTEGER, _reject_reason VARCHAR",
		},
		{
			name: "without a source the rejects are the model's rows", sql: typed, source: nil,
			kept:        []string{"1|10.50", "3|7.00"},
			rejects:     "SELECT id, amount::VARCHAR, _source_line, _reject_reason FROM silver.orders_rejects ORDER BY _source_line",
			rejected:    []string{"NULL|3.00|3|bad id", "2|NULL|4|bad amount"},
			rejectTypes: "id INTEGER, amount DECIMAL(9,2), _source_file VARCHAR, _source_line INTEGER, _reject_reason VARCHAR",
		},
		{
			name: "without lineage columns the rejects are the model's rows",
			sql: `SELECT TRY_CAST(id AS INT) AS id, TRY_CAST(amount AS DECIMAL(9,2)) AS amount,
				CASE WHEN TRY_CAST(id AS INT) IS NULL OR TRY_CAST(amount AS DECIMAL(9,2)) IS NULL THEN 'bad' END AS _reject_reason
				FROM raw.orders`,
			source:      source,
			kept:        []string{"1|10.50", "3|7.00"},
			rejects:     "SELECT id, amount::VARCHAR, _reject_reason FROM silver.orders_rejects ORDER BY id NULLS FIRST",
			rejected:    []string{"NULL|3.00|bad", "2|NULL|bad"},
			rejectTypes: "id INTEGER, amount DECIMAL(9,2), _reject_reason VARCHAR",
		},
		{
			name: "nothing rejected", sql: "SELECT 1 AS id, 2.5 AS amount, NULL::VARCHAR AS _reject_reason", source: source,
			kept:        []string{"1|2.5"},
			rejects:     "SELECT * FROM silver.orders_rejects",
			rejectTypes: "id INTEGER, amount DECIMAL(2,1), _reject_reason VARCHAR",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			conn := newConn(t)
			exec(t, conn, landing)
			res, err := Run(ctx, Request{Conn: conn, Relation: target, Config: cfg(project.Table, true), Source: tc.source, Render: fixed(tc.sql)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != int64(len(tc.kept)) || res.Rejected != int64(len(tc.rejected)) || res.Message != "CREATE TABLE" {
				t.Errorf("result %+v", res)
			}
			equal(t, "kept", rows(t, conn, "SELECT id, amount::VARCHAR FROM silver.orders ORDER BY id"), tc.kept)
			equal(t, "rejected", rows(t, conn, tc.rejects), tc.rejected)
			if got := columnTypes(t, conn, "silver", "orders_rejects"); got != tc.rejectTypes {
				t.Errorf("rejects columns %s, want %s", got, tc.rejectTypes)
			}
			cols := columnTypes(t, conn, "silver", "orders")
			if strings.Contains(cols, RejectReason) {
				t.Errorf("the model keeps %s: %s", RejectReason, cols)
			}
			equal(t, "temporary tables left", rows(t, conn, "SELECT table_name FROM duckdb_tables() WHERE temporary"), nil)
		})
	}
}

func columnTypes(t *testing.T, q warehouse.Querier, schema, name string) string {
	t.Helper()
	cols, err := warehouse.Columns(context.Background(), q, schema, name)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, c := range cols {
		parts = append(parts, c.Name+" "+c.Type)
	}
	return strings.Join(parts, ", ")
}

func TestRejectsNeedReasonColumn(t *testing.T) {
	for _, m := range []string{project.Table, project.Incremental} {
		t.Run(m, func(t *testing.T) {
			ctx := context.Background()
			conn := newConn(t)
			exec(t, conn, "CREATE TABLE silver.orders AS SELECT 42 AS id")
			if m == project.Incremental {
				exec(t, conn, "CREATE TABLE silver.orders_rejects AS SELECT 0 AS id, 'r' AS _reject_reason")
			}
			_, err := Run(ctx, Request{Conn: conn, Relation: target, Config: cfg(m, true), Render: fixed("SELECT 1 AS id")})
			if err == nil || !strings.Contains(err.Error(), "rejects: true needs the model to return a _reject_reason column") {
				t.Fatalf("error = %v", err)
			}
			equal(t, "table left as before", rows(t, conn, "SELECT id FROM silver.orders"), []string{"42"})
		})
	}
}
