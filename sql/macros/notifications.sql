{#- Notification usage and billing: parsing, and the watermarks that keep
    every model of the family incremental. Landing files only ever add
    rows, and the rows of one load share one _loaded_at, so "loaded after
    the latest load a table has seen" is exactly "not processed yet". -#}

{#- event_datetime as a UTC TIMESTAMP, or NULL unless it is ISO 8601 with an
    offset (Z, +hh, +hhmm or +hh:mm) and a real date and time: without an
    offset the instant, and so the billed day, would be a guess. -#}
{% macro notifications_event_at(expr) -%}
CASE WHEN regexp_full_match(trim({{ expr }}), '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)')
    THEN timezone('UTC', try_cast(trim({{ expr }}) AS TIMESTAMPTZ))
END
{%- endmacro %}

{#- The latest _loaded_at among the given relations, or -infinity when they
    are empty, so that a first load after an empty one is still new. -#}
{% macro notifications_latest_load(relations) -%}
(SELECT coalesce(max(_loaded_at), CAST('-infinity' AS TIMESTAMPTZ)) FROM (
    {%- for r in relations %}
    {% if not loop.first %}UNION ALL {% endif %}SELECT _loaded_at FROM {{ r }}
    {%- endfor %}
))
{%- endmacro %}

{#- Message ids with a delivery the gold models have not applied yet: loaded
    after the mark notification_gold_watermark set when the last run had
    built every gold model of the family (its migration creates it empty, so
    it is always there to read). Gold tables are exported whole, so they
    cannot carry a load time of their own; and the bookmark is read without
    ref() because it is built after them. -#}
{% macro notifications_unapplied_messages() -%}
SELECT DISTINCT message_id
FROM {{ ref('notification_deliveries') }}
WHERE _loaded_at > (
    SELECT coalesce(max(processed_through), CAST('-infinity' AS TIMESTAMPTZ))
    FROM {{ this.schema }}.notification_gold_watermark
)
{%- endmacro %}

{#- The customer-days whose WhatsApp count or last update an unapplied
    message can change: every day of every WhatsApp delivery of it, which
    covers the day of a copy that an earlier copy now replaces. -#}
{% macro notifications_affected_whatsapp_days() -%}
SELECT DISTINCT customer_id, day
FROM {{ ref('notification_deliveries') }}
WHERE channel = 'whatsapp'
  AND message_id IN ({{ notifications_unapplied_messages() }})
{%- endmacro %}
