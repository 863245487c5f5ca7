-- Notification events typed from raw.notifications, incrementally: a run
-- reads only the raw rows of loads newer than any row already here or in
-- the rejects table (a load of only rejected rows still counts as seen).
-- Each value is typed once, in the inner query, and the reject reason reads
-- the typed values.
{{ config(materialized='incremental', incremental_strategy='append') }}
SELECT
    customer_id,
    message_id,
    customer_name,
    channel,
    payload,
    event_at,
    _source_file,
    _source_line,
    _loaded_at,
    CASE
        WHEN message_id IS NULL THEN 'missing message id'
        WHEN customer_id IS NULL THEN 'missing customer'
        WHEN channel IS NULL THEN 'missing channel'
        WHEN event_at IS NULL THEN 'event_datetime is not ISO 8601 with an offset'
    END AS _reject_reason
FROM (
    SELECT
        {{ blank_to_null('customer_id') }} AS customer_id,
        {{ blank_to_null('message_id') }} AS message_id,
        {{ blank_to_null('customer_name') }} AS customer_name,
        {{ blank_to_null('channel') }} AS channel,
        payload,
        {{ notifications_event_at('event_datetime') }} AS event_at,
        _source_file,
        _source_line,
        _loaded_at
    FROM {{ source('raw', 'notifications') }}
    {% if is_incremental() %}
    WHERE _loaded_at > {{ notifications_latest_load([this, this.schema ~ '.' ~ this.name ~ '_rejects']) }}
    {% endif %}
)
