-- The detailed report: one row per message (duplicates counted once, the
-- earliest delivery kept), every channel, partitioned by UTC day on export.
-- batch: load: a run reads the message rows notification_messages wrote in
-- the same run and replaces the detail rows of those message ids.
{{ config(materialized='incremental', batch='load', incremental_strategy='delete+insert', unique_key='message_id') }}
SELECT
    day,
    customer_id,
    customer_name,
    message_id,
    channel,
    payload,
    event_at AS event_datetime
FROM {{ ref('notification_messages') }}
