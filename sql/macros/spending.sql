{#- Customer spending family. Lenient casts would accept '1.5', '0x10' or
    '1_000' as integers and round '12.345' to a cent, so the text is checked
    against a pattern first; each macro returns NULL where the text is not a
    valid value, so a bronze CASE can name the reason. -#}

{% macro spending_whole_number(expr) -%}
CASE WHEN regexp_full_match(trim({{ expr }}), '[0-9]{1,18}') THEN CAST(trim({{ expr }}) AS BIGINT) END
{%- endmacro %}

{#- A plain decimal: optional sign, digits, optional fraction; no exponent,
    currency sign or thousands separator. -#}
{% macro spending_money(expr) -%}
CASE WHEN regexp_full_match(trim({{ expr }}), '[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)') THEN try_cast(trim({{ expr }}) AS DECIMAL(18, 2)) END
{%- endmacro %}

{#- True when the text has a non-zero digit past the cents, which a cast to
    DECIMAL(18, 2) would round away. -#}
{% macro spending_sub_cent(expr) -%}
regexp_matches(trim({{ expr }}), '\.[0-9]{2}[0-9]*[1-9]')
{%- endmacro %}

{% macro spending_year(expr) -%}
CASE WHEN regexp_full_match(trim({{ expr }}), '(19|20)[0-9]{2}') THEN CAST(trim({{ expr }}) AS INTEGER) END
{%- endmacro %}

{#- The age groups, the one place they are defined: label and inclusive
    bounds (NULL max: no upper bound), as a relation named alias. -#}
{% macro spending_age_groups(alias) -%}
(VALUES
    ('<18', 0, 17),
    ('18-24', 18, 24),
    ('25-30', 25, 30),
    ('31-36', 31, 36),
    ('37-47', 37, 47),
    ('>47', 48, NULL)
) AS {{ alias }}(age_group, min_age, max_age)
{%- endmacro %}

{#- total / n rounded half away from zero to 2 decimals in exact decimal
    arithmetic (avg() on DECIMAL and DECIMAL division give DOUBLE); NULL when
    n is 0. total must have at most 2 decimals. -#}
{% macro spending_rounded_average(total, n) -%}
CAST(CAST(
    sign({{ total }}) * ((2 * abs(CAST({{ total }} * 100 AS HUGEINT)) + ({{ n }})) // (2 * nullif({{ n }}, 0)))
AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(18, 2))
{%- endmacro %}
