{#- Parsing helpers for bronze models: each returns NULL where the text is
    not a valid value, so a CASE can name the reason. -#}

{% macro blank_to_null(expr) -%}
nullif(trim({{ expr }}), '')
{%- endmacro %}

{% macro iso_date(expr) -%}
CAST(try_strptime(trim({{ expr }}), '%Y-%m-%d') AS DATE)
{%- endmacro %}

{% macro utc_timestamp(expr) -%}
timezone('UTC', try_cast(trim({{ expr }}) AS TIMESTAMPTZ))
{%- endmacro %}

{% macro money(expr) -%}
try_cast(trim({{ expr }}) AS DECIMAL(18, 2))
{%- endmacro %}
