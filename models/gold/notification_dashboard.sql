-- Per customer and UTC day with a WhatsApp message: the WhatsApp messages
-- (each once, at its earliest delivery) and last_update, the end of the
-- day's last minute with one. Summed from notifications_per_minute, which
-- holds the same counts in far fewer rows than the messages.
-- batch: key: a run recomputes the customer-days whose minutes changed.
{{ config(materialized='incremental', batch='key', unique_key=['customer_id', 'day']) }}
SELECT
    customer_id,
    day,
    CAST(sum(whatsapp_notifications) AS BIGINT) AS whatsapp_notifications,
    timezone('UTC', max(minute) + INTERVAL 1 MINUTE) AS last_update
FROM {{ ref('notifications_per_minute') }}
WHERE whatsapp_notifications > 0
GROUP BY customer_id, day
