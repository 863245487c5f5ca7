-- Every valid delivery, conformed and slim: the keys the dedup and the gold
-- counts need, with the channel lower-cased (WhatsApp, WHATSAPP and whatsapp
-- are one channel) and the event's UTC minute and day; the payload stays in
-- bronze. Duplicates stay here, they are deliveries: notification_messages
-- counts each message once. Appends only bronze rows of loads not seen yet.
{{ config(materialized='incremental', incremental_strategy='append') }}
SELECT
    message_id,
    customer_id,
    lower(channel) AS channel,
    event_at,
    date_trunc('minute', event_at) AS minute,
    CAST(event_at AS DATE) AS day,
    _source_file,
    _source_line,
    _loaded_at
FROM {{ ref('notification_events') }}
{% if is_incremental() %}
WHERE _loaded_at > {{ notifications_latest_load([this]) }}
{% endif %}
