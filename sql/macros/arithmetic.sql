{#- total / n truncated (toward zero, not rounded) to 2 decimals, in exact
    decimal arithmetic: 248500 / 6 is 41416.66. -#}
{% macro truncated_average(total, n) -%}
CAST(CAST(CAST({{ total }} * 100 AS HUGEINT) // ({{ n }}) AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(18, 2))
{%- endmacro %}
