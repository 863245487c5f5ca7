package tmpl

import (
	"context"
	"errors"
	"testing"
)

func FuzzRender(f *testing.F) {
	for _, seed := range []string{
		"select 1",
		"select * from {{ ref('orders') }} where x = {{ var('country', 'FR') }}",
		"{{ config(materialized='incremental', unique_key=['a']) }}{% if is_incremental() %}where ts > (select max(ts) from {{ this }}){% endif %}",
		"{% for i in range(3) %}{{ cents(i) }}{% if not loop.last %},{% endif %}{% endfor %}",
		"{% macro m(a, b=2) %}{{ a }}{{ b }}{% endmacro %}{{ m(1) }}{% call wrap() %}x{% endcall %}",
		"{% set x %}{{ source('raw', 'invoices') }}{% endset %}{{ x | upper }}",
		"{{- env_var('X', 'y') -}} {# c #} {%- raw %}{{ a }}{% endraw %}",
		"{{ 1 + }}", "{% if %}", "{{ ref('missing') }}", "{{ nosuch() }}", "{% endif %}", "{{", "{%", "{#",
		"{{ this.schema ~ '.' ~ this.name }} {{ [1,2][5] }} {{ {'a': 1}['b'] }} {{ 'x'[1:] }}",
	} {
		f.Add(seed)
	}
	e := newTestEngine(f)
	f.Fuzz(func(t *testing.T, src string) {
		res, err := e.Render(context.Background(), "fuzz.sql", src, testContext())
		if err != nil {
			var terr *Error
			if !errors.As(err, &terr) {
				t.Fatalf("error %v (%T) is not a *tmpl.Error", err, err)
			}
			if terr.File != "fuzz.sql" {
				t.Fatalf("error %v names file %q", err, terr.File)
			}
			return
		}
		if res == nil || res.Config == nil {
			t.Fatalf("nil result without error")
		}
	})
}
