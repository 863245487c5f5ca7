{#- Parsing and rule helpers of the voucher campaign family. Each parser
    returns NULL where the text is not a valid value, so a bronze CASE can
    name the reason. -#}

{#- An identifier: digits only. DuckDB's own cast would also take '1.5',
    '1e3' or '0x10' and quietly turn them into other ids. -#}
{% macro campaign_id(expr) -%}
CASE WHEN regexp_full_match(trim({{ expr }}), '[0-9]{1,18}') THEN CAST(trim({{ expr }}) AS BIGINT) END
{%- endmacro %}

{#- An amount of VND: a whole number (a zero fraction such as 70000.0 is
    accepted), sign allowed so that a negative amount gets its own reason. -#}
{% macro campaign_vnd(expr) -%}
CASE WHEN regexp_full_match(trim({{ expr }}), '[+-]?[0-9]{1,18}(\.0*)?')
    THEN CAST(CAST(trim({{ expr }}) AS DECIMAL(38, 2)) AS DECIMAL(18, 0)) END
{%- endmacro %}

{#- YYYY-MM-DD HH:MM:SS, a real calendar time. -#}
{% macro campaign_timestamp(expr) -%}
CASE WHEN regexp_full_match(trim({{ expr }}), '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}')
    THEN try_strptime(trim({{ expr }}), '%Y-%m-%d %H:%M:%S') END
{%- endmacro %}

{#- A day, written YYYY-MM-DD or as the midnight timestamp the campaign's
    export writes (2019-10-30 00:00:00). -#}
{% macro campaign_day(expr) -%}
CASE WHEN regexp_full_match(trim({{ expr }}), '[0-9]{4}-[0-9]{2}-[0-9]{2}( 00:00:00)?')
    THEN CAST(try_strptime(left(trim({{ expr }}), 10), '%Y-%m-%d') AS DATE) END
{%- endmacro %}

{#- The most a voucher may refund on an order of gmv VND:
    min(round(rate x gmv), cap), in exact decimal arithmetic. -#}
{% macro campaign_rebate_cap(gmv) -%}
least(
    round(CAST({{ var('voucher_rebate_rate') | sql_string }} AS DECIMAL(18, 6)) * {{ gmv }}),
    CAST({{ var('voucher_rebate_cap') | sql_string }} AS DECIMAL(18, 0))
)
{%- endmacro %}

{#- Gold, Silver or Bronze by cume_dist() over the total, highest first:
    peers share a cume_dist, so ties share a tier. cume_dist is k/n, and
    k/n <= 1/3 holds in doubles exactly when it holds in reals. -#}
{% macro campaign_tier(total) -%}
CASE
    WHEN cume_dist() OVER (ORDER BY {{ total }} DESC) <= 1 / 3 THEN 'Gold'
    WHEN cume_dist() OVER (ORDER BY {{ total }} DESC) <= 2 / 3 THEN 'Silver'
    ELSE 'Bronze'
END
{%- endmacro %}
