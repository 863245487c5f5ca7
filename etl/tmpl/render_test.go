package tmpl

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

var testMacros = map[string]string{
	"sql/macros/money.sql": `{% macro cents(x) %}({{ x }} * 100)::BIGINT{% endmacro %}
{% macro money(x, scale=2) -%}
  round({{ x }}, {{ scale }})
{%- endmacro %}`,
	"sql/macros/refs.sql": `{% macro latest(model, col='updated_at') -%}
select max({{ col }}) from {{ ref(model) }}
{%- endmacro %}
{% macro wrap() %}[{{ caller() }}]{% endmacro %}
{% macro double_cents(x) %}{{ cents(x) }} * 2{% endmacro %}`,
}

func testContext() Context {
	return Context{
		Vars:          map[string]any{"country": "FR", "limit": 10, "cols": []any{"a", "b"}},
		This:          Relation{Schema: "gold", Name: "invoice_averages"},
		IsIncremental: false,
		Ref: func(name string) (Relation, error) {
			if name == "missing" {
				return Relation{}, fmt.Errorf("no model named %q", name)
			}
			return Relation{Schema: "silver", Name: name}, nil
		},
		Source: func(source, table string) (Relation, error) {
			if source != "raw" {
				return Relation{}, fmt.Errorf("no source %q", source)
			}
			return Relation{Schema: "raw", Name: table}, nil
		},
		EnvVar: func(name string) (string, bool) {
			if name == "REGION" {
				return "eu", true
			}
			return "", false
		},
	}
}

func newTestEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := NewEngine(testMacros)
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	return e
}

func TestRender(t *testing.T) {
	e := newTestEngine(t)
	incremental := testContext()
	incremental.IsIncremental = true
	noEnv := testContext()
	noEnv.EnvVar = nil

	tests := []struct {
		name    string
		src     string
		ctx     Context
		want    string
		refs    []Call
		sources []Call
		config  map[string]any
	}{
		{name: "plain sql", src: "select 1", want: "select 1"},
		{name: "ref", src: "select * from {{ ref('orders') }}", want: `select * from "silver"."orders"`,
			refs: []Call{{Args: []string{"orders"}, Line: 1, Col: 18}}},
		{name: "ref on later line", src: "select *\nfrom\n  {{ ref('orders') }} o\n  join {{ ref('customers') }} c using (id)",
			want: "select *\nfrom\n  \"silver\".\"orders\" o\n  join \"silver\".\"customers\" c using (id)",
			refs: []Call{{Args: []string{"orders"}, Line: 3, Col: 6}, {Args: []string{"customers"}, Line: 4, Col: 11}}},
		{name: "ref with double quotes", src: `{{ ref("orders") }}`, want: `"silver"."orders"`,
			refs: []Call{{Args: []string{"orders"}, Line: 1, Col: 4}}},
		{name: "source", src: "from {{ source('raw', 'invoices') }}", want: `from "raw"."invoices"`,
			sources: []Call{{Args: []string{"raw", "invoices"}, Line: 1, Col: 9}}},
		{name: "this", src: "{{ this }} {{ this.schema }} {{ this.name }} {{ this.identifier }}",
			want: `"gold"."invoice_averages" gold invoice_averages invoice_averages`},
		{name: "var", src: "where country = '{{ var('country') }}' limit {{ var('limit') }}", want: "where country = 'FR' limit 10"},
		{name: "var default unused", src: "{{ var('country', 'DE') }}", want: "FR"},
		{name: "var default used", src: "{{ var('nope', 'DE') }} {{ var('n', 3) + 1 }}", want: "DE 4"},
		{name: "var list", src: "{{ var('cols') | join(', ') }}", want: "a, b"},
		{name: "env_var set", src: "{{ env_var('REGION', 'us') }}", want: "eu"},
		{name: "env_var default", src: "{{ env_var('OTHER', 'us') }}", want: "us"},
		{name: "env_var without lookup", src: "{{ env_var('REGION', 'us') }}", ctx: noEnv, want: "us"},
		{name: "config renders empty and merges", src: "{{ config(materialized='incremental') }}\n{{ config(unique_key=['a', 'b'], materialized='table') }}select 1",
			want: "\nselect 1", config: map[string]any{"materialized": "table", "unique_key": []any{"a", "b"}}},
		{name: "is_incremental false", src: "select * from t{% if is_incremental() %} where ts > (select max(ts) from {{ this }}){% endif %}",
			want: "select * from t"},
		{name: "is_incremental true", src: "select * from t{% if is_incremental() %} where ts > (select max(ts) from {{ this }}){% endif %}",
			ctx: incremental, want: `select * from t where ts > (select max(ts) from "gold"."invoice_averages")`},
		{name: "macro with args", src: "select {{ cents('amount') }}, {{ money('x') }}, {{ money('y', scale=4) }}",
			want: "select (amount * 100)::BIGINT, round(x, 2), round(y, 4)"},
		{name: "macro calling macro", src: "{{ double_cents('a') }}", want: "(a * 100)::BIGINT * 2"},
		{name: "ref inside macro is positioned at the model call", src: "-- latest\n  {{ latest('orders') }}",
			want: "-- latest\n  select max(updated_at) from \"silver\".\"orders\"",
			refs: []Call{{Args: []string{"orders"}, Line: 2, Col: 6}}},
		{name: "call block", src: "{% call wrap() %}x{% endcall %}", want: "[x]"},
		{name: "model-local macro", src: "{% macro pct(x) %}{{ x }} * 100.0{% endmacro %}select {{ pct('r') }} from {{ ref('a') }}",
			want: `select r * 100.0 from "silver"."a"`, refs: []Call{{Args: []string{"a"}, Line: 1, Col: 78}}},
		{name: "set and loop", src: "{% set cols = ['a', 'b', 'c'] %}select {% for c in cols %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}",
			want: "select a, b, c"},
		{name: "ref in loop listed once per place", src: "{% for i in range(3) %}{{ ref('orders') }}{% endfor %}",
			want: `"silver"."orders""silver"."orders""silver"."orders"`, refs: []Call{{Args: []string{"orders"}, Line: 1, Col: 27}}},
		{name: "ref via set", src: "{% set o = ref('orders') %}\nselect * from {{ o }}", want: "\nselect * from \"silver\".\"orders\"",
			refs: []Call{{Args: []string{"orders"}, Line: 1, Col: 12}}},
		{name: "ref in branch not taken is not listed", src: "{% if is_incremental() %}{{ ref('a') }}{% else %}{{ ref('b') }}{% endif %}",
			want: `"silver"."b"`, refs: []Call{{Args: []string{"b"}, Line: 1, Col: 53}}},
		{name: "filters", src: "{{ 'abc' | upper }} {{ missing | default('d') }} {{ [3, 1, 2] | sort | join(',') }}", want: "ABC d 1,2,3"},
		{name: "undefined variable renders empty", src: "a{{ nothing }}b", want: "ab"},
		{name: "comment", src: "a{# hidden {{ ref('x') }} #}b", want: "ab"},
		{name: "whitespace control", src: "select\n  {%- if true %}\n  1\n  {%- endif %}\n", want: "select\n  1"},
		{name: "whitespace control both sides", src: "a  {{- 'b' -}}  c\n{%- set x = 1 -%}\n  d", want: "abcd"},
		{name: "no whitespace control keeps newlines", src: "a\n{% if true %}\nb\n{% endif %}\n", want: "a\n\nb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.ctx
			if c.Ref == nil {
				c = testContext()
			}
			res, err := e.Render(context.Background(), "models/m.sql", tt.src, c)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if res.SQL != tt.want {
				t.Errorf("SQL\n got %q\nwant %q", res.SQL, tt.want)
			}
			if !reflect.DeepEqual(res.Refs, tt.refs) {
				t.Errorf("Refs = %+v, want %+v", res.Refs, tt.refs)
			}
			if !reflect.DeepEqual(res.Sources, tt.sources) {
				t.Errorf("Sources = %+v, want %+v", res.Sources, tt.sources)
			}
			want := tt.config
			if want == nil {
				want = map[string]any{}
			}
			if !reflect.DeepEqual(res.Config, want) {
				t.Errorf("Config = %#v, want %#v", res.Config, want)
			}
		})
	}
}

func TestRenderCancelled(t *testing.T) {
	e := newTestEngine(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	midway, stop := context.WithCancel(context.Background())
	defer stop()
	cancelInRef := testContext()
	cancelInRef.Ref = func(name string) (Relation, error) {
		stop()
		return Relation{Schema: "s", Name: name}, nil
	}
	tests := []struct {
		name string
		ctx  context.Context
		c    Context
	}{
		{name: "before start", ctx: cancelled, c: testContext()},
		{name: "while rendering", ctx: midway, c: cancelInRef},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Render(tt.ctx, "m.sql", "select {{ ref('a') }}, {{ ref('b') }}", tt.c)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
		})
	}
}

func TestRelationString(t *testing.T) {
	for _, tt := range []struct {
		rel  Relation
		want string
	}{
		{Relation{"gold", "invoice_averages"}, `"gold"."invoice_averages"`},
		{Relation{"we\"ird", "t"}, `"we""ird"."t"`},
	} {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.rel.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
		})
	}
}
