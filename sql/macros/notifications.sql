{#- Notification usage and billing: parsing, and the watermarks that keep
    every model of the family incremental. Landing files only ever add
    rows, and the rows of one load share one _loaded_at, so "loaded after
    the latest load a table has seen" is exactly "not processed yet".
    Tables are appended in load order, so a filter on _loaded_at against a
    watermark lets DuckDB skip every older row group by its zone map: an
    incremental run reads the new rows, not the history. -#}

{#- event_datetime as a UTC TIMESTAMP, or NULL unless it is ISO 8601 with an
    offset (Z, +hh, +hhmm or +hh:mm) and a real date and time: without an
    offset the instant, and so the billed day, would be a guess. The UTC
    wall time is the instant's microseconds since the epoch: the same value
    timezone('UTC', ...) gives, without a trip through ICU's calendar. -#}
{% macro notifications_event_at(expr) -%}
CASE WHEN regexp_full_match(trim({{ expr }}), '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)')
    THEN make_timestamp(epoch_us(try_cast(trim({{ expr }}) AS TIMESTAMPTZ)))
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

{#- The gold models' mark: the latest load of messages they have all
    applied, set by notification_gold_watermark when the last run had built
    every gold model of the family (its migration creates it empty, so it
    is always there to read). Gold tables are exported whole, so they
    cannot carry a load time of their own; and the bookmark is read without
    ref() because it is built after them. -#}
{% macro notifications_gold_mark() -%}
(SELECT coalesce(max(processed_through), CAST('-infinity' AS TIMESTAMPTZ))
 FROM {{ this.schema }}.notification_gold_watermark)
{%- endmacro %}

{#- The messages the gold models have not applied yet: a message's
    _loaded_at is the latest load of any of its deliveries, so these are
    exactly the messages with a delivery loaded after the mark, and they
    sit at the end of notification_messages. -#}
{% macro notifications_unapplied_messages() -%}
SELECT *
FROM {{ ref('notification_messages') }}
WHERE _loaded_at > {{ notifications_gold_mark() }}
{%- endmacro %}

{#- Every distinct customer, channel and UTC minute (and its day) of every
    delivery of an unapplied message: the minutes and days whose counts or
    last update it can change, including those of a copy that an earlier
    copy now replaces. notification_messages keeps them per message, so no
    model has to look a message's deliveries up in the history. -#}
{% macro notifications_unapplied_copies() -%}
SELECT DISTINCT c.customer_id, c.channel, c.minute, CAST(c.minute AS DATE) AS day
FROM (
    SELECT unnest({{ notifications_copies() }}) AS c
    FROM ({{ notifications_unapplied_messages() }})
)
{%- endmacro %}

{#- A message row's copies: the list it keeps when it was delivered more
    than once, else its one delivery. -#}
{% macro notifications_copies() -%}
coalesce(copies, [{'customer_id': customer_id, 'channel': channel, 'minute': minute}])
{%- endmacro %}
