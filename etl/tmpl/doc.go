// Package tmpl renders SQL models written in dbt's Jinja vocabulary, using the
// gonja engine.
//
// The template language offers:
//
//   - {{ ref('model') }}: the quoted relation of another model, e.g. "gold"."invoices".
//   - {{ source('source', 'table') }}: the quoted relation of a declared source table.
//   - {{ this }}: the model's own relation; this.schema, this.name and
//     this.identifier give its parts unquoted.
//   - {{ var('name') }} and {{ var('name', default) }}: project variables,
//     rendered as text into the SQL, as in dbt.
//   - The sql_string filter quotes a value as one SQL string literal
//     ({{ var('since') | sql_string }} renders '2024-01-01'; a quote in the
//     value is doubled), so that no value can change the statement's meaning.
//   - {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }}: environment
//     values, as far as the caller exposes them.
//   - is_incremental(): true when the model is being built incrementally.
//   - {{ config(materialized='incremental', unique_key=['id']) }}: model
//     settings; renders as nothing, keyword arguments of all calls are merged.
//   - Macros: every {% macro %} of the engine's macro files is callable by its
//     bare name from every model and from other macros; models may define their
//     own macros too; {% call m() %}...{% endcall %} passes a block as caller().
//   - Everything gonja offers: {% if %}/{% elif %}/{% else %}, {% for %} with
//     loop.*, {% set %} (also block form), filters (upper, join, default,
//     replace, ...), tests (is defined, is none, ...), {# comments #} and
//     whitespace control with {%- -%} and {{- -}}. range() returns a list.
//
// Not offered: {% include %}, {% import %} and {% extends %} (a render sees no
// files). Undefined variables render as nothing, as in dbt; undefined
// functions and macros are errors.
//
// Errors are *Error values positioned in the model file; a failure inside a
// macro is reported at the model line that called the macro, with the macro's
// own location in the message.
package tmpl
