{#- The order stream family: decoding Debezium values, and the shop
    database's tables as its change events carry them. -#}

{#- Debezium's precise decimal: the base64 text of a big-endian two's
    complement integer (the unscaled value), whose scale the column's type
    gives. Decoded wholly in SQL: the bytes as hex (h, computed once), folded
    into a HUGEINT starting from -1 when the sign bit is set (sign
    extension), then given its scale by an exact product with 10^-scale.
    NULL for text that is not base64, for no bytes, and for more than 16
    bytes or a value beyond DECIMAL(38), which no column of the shop can
    hold. from_base64 only ever sees base64 and the fold cannot overflow, so
    no text can make the query fail (and no slow try() is needed). -#}
{% macro ecommerce_cdc_base64_decimal(text, scale) -%}
list_transform(
    [hex(from_base64(CASE WHEN regexp_full_match({{ text }}, '([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?') THEN {{ text }} ELSE '' END))],
    lambda h: CASE WHEN length(h) BETWEEN 2 AND 32 AND NOT (length(h) = 32 AND left(h, 2) IN ('7F', '80')) THEN
        try_cast(list_reduce(
            list_transform(range(0, length(h), 2), lambda i: CAST('0x' || substr(h, i + 1, 2) AS INTEGER)),
            lambda acc, b: acc * 256 + b,
            CAST(CASE WHEN left(h, 1) >= '8' THEN -1 ELSE 0 END AS HUGEINT)
        ) AS DECIMAL(38, 0)) * CAST('1e-{{ scale }}' AS DECIMAL(38, {{ scale }}))
    END)[1]
{%- endmacro %}

{#- A decimal value of a row image, as JSON: a JSON number as it is, a JSON
    string as Debezium's precise encoding. Both give the same
    DECIMAL(18, scale); anything else is NULL. -#}
{% macro ecommerce_cdc_decimal(value, scale) -%}
try_cast(CASE json_type({{ value }})
    WHEN 'VARCHAR' THEN {{ ecommerce_cdc_base64_decimal('(' ~ value ~ " ->> '$')", scale) }}
    WHEN 'UBIGINT' THEN try_cast({{ value }} ->> '$' AS DECIMAL(38, {{ scale }}))
    WHEN 'BIGINT' THEN try_cast({{ value }} ->> '$' AS DECIMAL(38, {{ scale }}))
    WHEN 'DOUBLE' THEN try_cast({{ value }} ->> '$' AS DECIMAL(38, {{ scale }}))
END AS DECIMAL(18, {{ scale }}))
{%- endmacro %}

{#- One column of a row image, from the table's fields struct (text, or
    JSON for a decimal), typed by its kind; NULL where it cannot be. An
    integer must be written as one: a fraction is not silently rounded. -#}
{% macro ecommerce_cdc_typed(value, kind, scale=2) -%}
{%- if kind == 'integer' -%}
CASE WHEN regexp_full_match(trim({{ value }}), '[+-]?[0-9]{1,18}') THEN CAST(trim({{ value }}) AS BIGINT) END
{%- elif kind == 'decimal' -%}
{{ ecommerce_cdc_decimal(value, scale) }}
{%- elif kind == 'timestamp' -%}
{{ utc_timestamp(value) }}
{%- else -%}
{{ blank_to_null(value) }}
{%- endif -%}
{%- endmacro %}

{#- The shop's tables: name, primary key (an integer), and each other column
    as [name, kind, required, scale]. Bronze checks every row image against
    this list and silver types rows with it, so the two cannot disagree. A
    row image is parsed once, into a struct of the table's columns
    (json_transform): each as text, a decimal as JSON since its JSON type
    tells a number from Debezium's base64.
    what:
      'names'   the table names, quoted, comma-separated (for IN);
      'struct'  the json_transform structure of table only;
      'fields'  select items <table>_fields, the struct of image for rows of
                that table (NULL for others), one per table;
      'key'     the primary key's text, from the <table>_fields items;
      'problem' the first problem of a live row image, from the same items,
                or NULL;
      'columns' the typed select list of table only (key first), from the
                struct fields.
-#}
{% macro ecommerce_cdc_schema(what, table_expr='table_name', image='row_image', only='', fields='fields') -%}
{%- set tables = [
    ['customers', 'customer_id', [
        ['email', 'text', false, 0],
        ['full_name', 'text', true, 0],
        ['city', 'text', false, 0],
        ['created_at', 'timestamp', true, 0]]],
    ['categories', 'category_id', [
        ['name', 'text', true, 0],
        ['parent_id', 'integer', false, 0]]],
    ['products', 'product_id', [
        ['category_id', 'integer', true, 0],
        ['sku', 'text', true, 0],
        ['name', 'text', true, 0],
        ['price', 'decimal', true, 2]]],
    ['orders', 'order_id', [
        ['customer_id', 'integer', true, 0],
        ['status', 'text', true, 0],
        ['order_time', 'timestamp', true, 0],
        ['total_price', 'decimal', true, 2]]],
    ['order_items', 'item_id', [
        ['order_id', 'integer', true, 0],
        ['product_id', 'integer', true, 0],
        ['quantity', 'integer', true, 0],
        ['unit_price', 'decimal', true, 2]]],
    ['payments', 'payment_id', [
        ['order_id', 'integer', true, 0],
        ['method', 'text', true, 0],
        ['amount', 'decimal', true, 2],
        ['status', 'text', true, 0],
        ['paid_at', 'timestamp', false, 0]]],
    ['shipments', 'shipment_id', [
        ['order_id', 'integer', true, 0],
        ['carrier', 'text', true, 0],
        ['status', 'text', true, 0],
        ['shipped_at', 'timestamp', false, 0],
        ['delivered_at', 'timestamp', false, 0]]],
] -%}
{%- if what == 'names' -%}
{%- for t in tables %}'{{ t[0] }}'{% if not loop.last %}, {% endif %}{% endfor -%}
{%- elif what == 'struct' -%}
{%- for t in tables if t[0] == only -%}
'{"{{ t[1] }}": "VARCHAR"{% for c in t[2] %}, "{{ c[0] }}": "{{ 'JSON' if c[1] == 'decimal' else 'VARCHAR' }}"{% endfor %}}'
{%- endfor -%}
{%- elif what == 'fields' -%}
{%- for t in tables %}
        CASE WHEN {{ table_expr }} = '{{ t[0] }}' THEN json_transform({{ image }}, {{ ecommerce_cdc_schema('struct', only=t[0]) }}) END AS {{ t[0] }}_fields
        {%- if not loop.last %},{% endif %}
{%- endfor -%}
{%- elif what == 'key' -%}
CASE {{ table_expr }}{% for t in tables %} WHEN '{{ t[0] }}' THEN {{ t[0] }}_fields.{{ t[1] }}{% endfor %} END
{%- elif what == 'problem' -%}
CASE {{ table_expr }}
{%- for t in tables %}
    WHEN '{{ t[0] }}' THEN CASE
    {%- for c in t[2] %}
        {%- set value = t[0] ~ '_fields.' ~ c[0] %}
        {%- set raw = value %}
        {%- if c[1] == 'decimal' %}{% set raw = value ~ " ->> '$'" %}{% endif %}
        {%- set text = blank_to_null(raw) %}
        {%- if c[2] %}
        WHEN {{ text }} IS NULL THEN 'missing {{ t[0] }}.{{ c[0] }}'
        {%- endif %}
        {%- if c[1] != 'text' %}
        WHEN {{ text }} IS NOT NULL AND {{ ecommerce_cdc_typed(value, c[1], c[3]) }} IS NULL
            THEN '{{ t[0] }}.{{ c[0] }} is not {{ 'an' if c[1] == 'integer' else 'a' }} {{ c[1] }}'
        {%- endif %}
    {%- endfor %}
    END
{%- endfor %}
END
{%- elif what == 'columns' -%}
{%- for t in tables if t[0] == only %}
    {{ ecommerce_cdc_typed(fields ~ '.' ~ t[1], 'integer') }} AS {{ t[1] }}
    {%- for c in t[2] %},
    {{ ecommerce_cdc_typed(fields ~ '.' ~ c[0], c[1], c[3]) }} AS {{ c[0] }}
    {%- endfor %}
{%- endfor %}
{%- endif -%}
{%- endmacro %}

{#- num / den rounded half away from zero to scale decimals, exactly: both
    operands have at most 2 decimals, so scaled by 100 they are integers and
    the division is an integer one. NULL when den is 0. -#}
{% macro ecommerce_cdc_ratio(num, den, scale=2) -%}
{%- set n = 'CAST((' ~ num ~ ') * 100 AS HUGEINT)' -%}
{%- set d = 'CAST((' ~ den ~ ') * 100 AS HUGEINT)' -%}
CASE WHEN ({{ den }}) <> 0 THEN CAST(
    CAST(sign({{ n }}) * sign({{ d }}) * ((abs({{ n }}) * {{ (10 ** scale) | int }} * 2 + abs({{ d }})) // (2 * abs({{ d }}))) AS DECIMAL(38, 0))
        * CAST('1e-{{ scale }}' AS DECIMAL(38, {{ scale }}))
    AS DECIMAL(18, {{ scale }})) END
{%- endmacro %}
