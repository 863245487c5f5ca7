package tmpl

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRenderErrors(t *testing.T) {
	e := newTestEngine(t)
	tests := []struct {
		name string
		src  string
		want string // exact Error()
	}{
		{name: "syntax: bad expression", src: "select\n  {{ 1 + }}",
			want: `m.sql:2:10: syntax error: expected either a number, string, keyword or identifier. (near "}}")`},
		{name: "syntax: unclosed if", src: "select\n{% if true %}\n1",
			want: `m.sql:3:2: syntax error: Unexpected EOF, expected tag elif or else or endif.`},
		{name: "syntax: unknown tag", src: "a\nb\n  {% frobnicate %}",
			want: `m.sql:3:6: syntax error: ControlStructure 'frobnicate' not found (or beginning not provided) (near "frobnicate")`},
		{name: "syntax: tag without position", src: "a\n\n   {% macro %}{% endmacro %}",
			want: `m.sql:3:4: syntax error: Macro-tag needs at least an identifier as name.`},
		{name: "unknown ref", src: "select *\nfrom {{ ref('missing') }}",
			want: `m.sql:2:9: ref("missing"): no model named "missing"`},
		{name: "unknown ref in set", src: "\n\n{% set r = ref('missing') %}",
			want: `m.sql:3:12: ref("missing"): no model named "missing"`},
		{name: "unknown ref inside engine macro", src: "-- x\n\n select ({{ latest('missing') }})",
			want: `m.sql:3:13: ref("missing"): no model named "missing" (in macro "latest" at sql/macros/refs.sql:2:31)`},
		{name: "unknown ref inside model macro", src: "{% macro m() %}\n{{ ref('missing') }}\n{% endmacro %}\n\n{{ m() }}",
			want: `m.sql:2:4: ref("missing"): no model named "missing"`},
		{name: "unknown source", src: "select 1\nfrom {{ source('lake', 'x') }}",
			want: `m.sql:2:9: source("lake", "x"): no source "lake"`},
		{name: "var without default", src: "select\n\n  {{ var('nope') }}",
			want: `m.sql:3:6: var("nope"): no such project var and no default given`},
		{name: "env_var without default", src: "{{ env_var('NOPE') }}",
			want: `m.sql:1:4: env_var("NOPE"): not set and no default given`},
		{name: "undefined function", src: "select\n  {{ nosuch(1) }}",
			want: `m.sql:2:6: undefined function or macro "nosuch"`},
		{name: "undefined function in if", src: "{% if true %}\n  {% if true %}\n\n{{ x | upper }}{{ nosuch() }}{% endif %}{% endif %}",
			want: `m.sql:4:19: undefined function or macro "nosuch"`},
		{name: "undefined function in for", src: "{% for i in [1, 2] %}\n{{ i }}{{ nosuch(i) }}\n{% endfor %}",
			want: `m.sql:2:11: undefined function or macro "nosuch"`},
		{name: "undefined macro inside macro", src: "\n{{ bad_macro() }}",
			want: `m.sql:2:4: undefined function or macro "nope" (in macro "bad_macro" at macros/bad.sql:1:27)`},
		{name: "unknown filter", src: "select\n\n   {{ 'a' | nosuch }}",
			want: `m.sql:3:4: filter 'nosuch' not found`},
		{name: "error in nested statement", src: "{% if true %}\nok\n  {% set x = 'a' | nosuch %}{% endif %}",
			want: `m.sql:3:3: filter 'nosuch' not found`},
		{name: "ref with no args", src: "{{ ref() }}",
			want: `m.sql:1:4: ref() takes exactly 1 string argument(s)`},
		{name: "ref with number", src: "{{ ref(1) }}",
			want: `m.sql:1:4: ref() argument 1 must be a string, got 1`},
		{name: "config positional", src: "{{ config('table') }}",
			want: `m.sql:1:4: config() takes keyword arguments only, e.g. config(materialized='table')`},
		{name: "recursive macro", src: "{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}",
			want: `m.sql:1:19: calls nested deeper than 64 (recursive macro?)`},
		{name: "include refused", src: "\n{% include 'other.sql' %}",
			want: `m.sql:2:1: unable to load template 'other.sql': failed to reader template 'other.sql': cannot load "other.sql": templates cannot include, import or extend files`},
	}
	macros := map[string]string{"macros/bad.sql": "{% macro bad_macro() %}{{ nope() }}{% endmacro %}"}
	for k, v := range testMacros {
		macros[k] = v
	}
	e, err := NewEngine(macros)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.Render(context.Background(), "m.sql", tt.src, testContext())
			if err == nil {
				t.Fatalf("Render succeeded with %q, want error %s", res.SQL, tt.want)
			}
			var terr *Error
			if !errors.As(err, &terr) {
				t.Fatalf("error %v (%T) is not a *tmpl.Error", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestNewEngineErrors(t *testing.T) {
	tests := []struct {
		name   string
		macros map[string]string
		want   string
	}{
		{name: "macro file syntax error", macros: map[string]string{
			"sql/macros/ok.sql":  "{% macro ok() %}1{% endmacro %}",
			"sql/macros/bad.sql": "{% macro a() %}\n  {{ 1 + }}\n{% endmacro %}",
		}, want: `sql/macros/bad.sql:2:10: syntax error: expected either a number, string, keyword or identifier. (near "}}")`},
		{name: "unterminated macro", macros: map[string]string{
			"m.sql": "\n\n{% macro a() %}\nselect 1",
		}, want: `m.sql:4:9: syntax error: Unexpected EOF, expected tag endmacro.`},
		{name: "duplicate macro", macros: map[string]string{
			"a.sql": "{% macro twice() %}1{% endmacro %}",
			"b.sql": "\n{% macro twice() %}2{% endmacro %}",
		}, want: `b.sql:2:1: macro "twice" is already defined in a.sql`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewEngine(tt.macros)
			if err == nil {
				t.Fatalf("NewEngine succeeded, want %s", tt.want)
			}
			var terr *Error
			if !errors.As(err, &terr) {
				t.Fatalf("error %v (%T) is not a *tmpl.Error", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tt := range []struct {
		err  Error
		want string
	}{
		{Error{File: "a.sql", Line: 3, Col: 7, Msg: "boom"}, "a.sql:3:7: boom"},
		{Error{File: "a.sql", Line: 3, Msg: "boom"}, "a.sql:3: boom"},
		{Error{File: "a.sql", Msg: "boom"}, "a.sql: boom"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if !strings.HasPrefix(tt.err.Error(), tt.err.File) {
				t.Errorf("Error() does not start with the file")
			}
		})
	}
}
