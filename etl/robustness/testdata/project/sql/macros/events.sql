{# The events of one feed's landing table, typed; _reject_reason says why
   a row cannot be typed. #}
{% macro typed_events(landing) %}
SELECT
    *,
    CASE
        WHEN id IS NULL THEN 'missing id'
        WHEN amount IS NULL THEN 'amount is not a decimal number'
        WHEN event_at IS NULL THEN 'event_at is not ISO 8601 with an offset'
        WHEN day IS NULL THEN 'day is not a calendar date'
    END AS _reject_reason
FROM (
    SELECT
        nullif(trim(id), '') AS id,
        TRY_CAST(trim(amount) AS DECIMAL(18, 2)) AS amount,
        CASE WHEN regexp_full_match(trim(event_at), '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})')
             THEN TRY_CAST(trim(event_at) AS TIMESTAMPTZ) END AS event_at,
        TRY_CAST(trim(day) AS DATE) AS day,
        note,
        _source_file,
        _source_line
    FROM {{ landing }}
)
{% endmacro %}
