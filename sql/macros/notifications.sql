{#- Notification usage and billing. -#}

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
