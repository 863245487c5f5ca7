package tmpl

import (
	"context"
	"testing"

	"etlrunner/etl/warehouse"
)

// TestRenderedSQLRunsInDuckDB proves rendered relations and macros are SQL
// DuckDB accepts as is, including names that need quoting.
func TestRenderedSQLRunsInDuckDB(t *testing.T) {
	ctx := context.Background()
	w, err := warehouse.Open(ctx, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	for _, stmt := range []string{
		`create schema raw`,
		`create schema "Silver Layer"`,
		`create table raw.invoices as select * from (values (1, 2.5), (2, 4.0), (3, 1.25)) v(id, amount)`,
		`create table "Silver Layer"."Customer ""List""" as select * from (values (1), (2)) v(id)`,
	} {
		if _, err := w.DB.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}

	e := newTestEngine(t)
	c := testContext()
	c.Ref = func(string) (Relation, error) { return Relation{Schema: "Silver Layer", Name: `Customer "List"`}, nil }
	src := `{{ config(materialized='table') }}
select sum({{ cents('i.amount') }}) as total_cents
from {{ source('raw', 'invoices') }} i
join {{ ref('customers') }} c using (id)
{% if is_incremental() %}where i.id > 1{% endif %}`
	res, err := e.Render(ctx, "models/total.sql", src, c)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	if err := w.DB.QueryRowContext(ctx, res.SQL).Scan(&total); err != nil {
		t.Fatalf("running rendered SQL %q: %v", res.SQL, err)
	}
	if total != 650 {
		t.Errorf("total_cents = %d, want 650 (rendered %q)", total, res.SQL)
	}
}
