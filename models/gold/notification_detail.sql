-- The detailed report: one row per message (duplicates counted once, the
-- earliest delivery kept), every channel, partitioned by UTC day on export.
-- A run replaces only the messages with an unapplied delivery.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='message_id') }}
SELECT
    day,
    customer_id,
    customer_name,
    message_id,
    channel,
    payload,
    event_at AS event_datetime
{% if is_incremental() %}
FROM ({{ notifications_unapplied_messages() }})
{% else %}
FROM {{ ref('notification_messages') }}
{% endif %}
