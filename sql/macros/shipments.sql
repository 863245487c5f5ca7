{#- Shipment alerts: recognising the vendor's customer ids, dates and
    problem statuses. Each returns NULL where the text is not valid, so a
    bronze CASE can name the reason. -#}

{#- company (<name>_<digits>) or individual (24 hex digits). The id is
    matched as written, with no trimming: a padded or spaced id is a
    different database name, not the same customer. -#}
{% macro shipments_customer_kind(expr) -%}
CASE
    WHEN regexp_full_match({{ expr }}, '[0-9A-Fa-f]{24}') THEN 'individual'
    WHEN regexp_full_match({{ expr }}, '[A-Za-z0-9][A-Za-z0-9_-]*_[0-9]+') THEN 'company'
END
{%- endmacro %}

{#- The canonical customer id: hex ids are case-insensitive, so an
    individual's id is lower-cased; a company's database name is kept. -#}
{% macro shipments_customer_id(expr) -%}
CASE {{ shipments_customer_kind(expr) }}
    WHEN 'individual' THEN lower({{ expr }})
    WHEN 'company' THEN {{ expr }}
END
{%- endmacro %}

{#- True when the text has the YYYY-MM-DD shape; strptime alone would also
    take 2023-1-5. -#}
{% macro shipments_is_iso_date(expr) -%}
regexp_full_match(trim({{ expr }}), '[0-9]{4}-[0-9]{2}-[0-9]{2}')
{%- endmacro %}

{#- The date when the text is YYYY-MM-DD and a real calendar day
    (2023-02-30 and 2023-13-01 are not). -#}
{% macro shipments_calendar_date(expr) -%}
CASE WHEN {{ shipments_is_iso_date(expr) }} THEN CAST(try_strptime(trim({{ expr }}), '%Y-%m-%d') AS DATE) END
{%- endmacro %}

{#- Status compared after trimming and lower-casing; both spellings of
    cancelled are one status. -#}
{% macro shipments_status(expr) -%}
CASE lower(trim({{ expr }}))
    WHEN 'canceled' THEN 'cancelled'
    ELSE nullif(lower(trim({{ expr }})), '')
END
{%- endmacro %}

{#- An e-mail address: something@domain.tld, no spaces. -#}
{% macro shipments_is_email(expr) -%}
regexp_full_match(trim({{ expr }}), '[^@\s]+@[^@\s]+\.[^@\s]+')
{%- endmacro %}
