-- Per customer and UTC minute with a message: the messages counted there
-- (each once, at its earliest delivery), all channels and WhatsApp alone.
-- batch: key: a run recounts the customer-minutes whose messages changed;
-- one left without a message loses its row.
{{ config(materialized='incremental', batch='key', unique_key=['customer_id', 'minute']) }}
SELECT
    customer_id,
    day,
    minute,
    count(*) AS notifications,
    count(*) FILTER (WHERE channel = 'whatsapp') AS whatsapp_notifications
FROM {{ ref('notification_messages') }}
GROUP BY customer_id, day, minute
