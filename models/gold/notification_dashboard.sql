-- Per customer and UTC day with WhatsApp deliveries: the WhatsApp messages
-- counted (each once, at its earliest delivery) and last_update, the end of
-- the last minute with a WhatsApp delivery for it. As in
-- notifications_per_minute, a day whose only message moved to an earlier
-- copy keeps its row with 0.
-- A run recomputes only the customer-days an unapplied message touches.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=['customer_id', 'day']) }}
WITH
{% if is_incremental() %}
affected AS (
    {{ notifications_affected_whatsapp_days() }}
),
{% endif %}
days AS (
    SELECT customer_id, day, max(minute) AS last_minute
    FROM {{ ref('notification_deliveries') }}
    {% if is_incremental() %}
    SEMI JOIN affected USING (customer_id, day)
    {% endif %}
    WHERE channel = 'whatsapp'
    GROUP BY customer_id, day
),
counted AS (
    SELECT customer_id, day, count(*) AS whatsapp_notifications
    FROM {{ ref('notification_messages') }}
    {% if is_incremental() %}
    SEMI JOIN affected USING (customer_id, day)
    {% endif %}
    WHERE channel = 'whatsapp'
    GROUP BY customer_id, day
)
SELECT
    d.customer_id,
    d.day,
    coalesce(c.whatsapp_notifications, 0) AS whatsapp_notifications,
    timezone('UTC', d.last_minute + INTERVAL 1 MINUTE) AS last_update
FROM days AS d
LEFT JOIN counted AS c USING (customer_id, day)
