-- Notification events typed from raw.notifications. Rows without a message
-- id, customer or channel, or whose event_datetime is not ISO 8601 with an
-- offset, go to notification_events_rejects with the reason.
-- batch: load: the runner hands this model only the raw rows loaded since
-- it last ran, and rebuilds it when a landing file was replaced or removed.
{{ config(materialized='incremental', batch='load') }}
SELECT
    *,
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
        _source_line
    FROM {{ source('raw', 'notifications') }}
)
