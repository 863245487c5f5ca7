-- Per customer and UTC day with WhatsApp deliveries: the WhatsApp messages
-- counted (each once, at its earliest delivery) and last_update, the end of
-- the last minute with a WhatsApp delivery for it. As in
-- notifications_per_minute, a day whose only message moved to an earlier
-- copy keeps its row with 0.
-- The count is the sum of the day's minutes in notifications_per_minute
-- (built first), which holds the same counts per minute in far fewer rows
-- than the messages of a day. A run recomputes only the customer-days an
-- unapplied message has a WhatsApp delivery on; deliveries are never
-- removed, so such a day's last minute is the later of the one its row
-- already has and those of the new deliveries.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=['customer_id', 'day']) }}
WITH
{% if is_incremental() %}
touched AS (
    SELECT customer_id, day, max(minute) AS last_minute
    FROM ({{ notifications_unapplied_copies() }})
    WHERE channel = 'whatsapp'
    GROUP BY customer_id, day
),
days AS (
    SELECT
        t.customer_id,
        t.day,
        greatest(t.last_minute, timezone('UTC', d.last_update) - INTERVAL 1 MINUTE) AS last_minute
    FROM touched AS t
    LEFT JOIN {{ this }} AS d USING (customer_id, day)
),
{% else %}
days AS (
    SELECT customer_id, day, max(minute) AS last_minute
    FROM {{ ref('notification_deliveries') }}
    WHERE channel = 'whatsapp'
    GROUP BY customer_id, day
),
{% endif %}
counted AS (
    SELECT
        customer_id,
        CAST(minute AS DATE) AS day,
        CAST(sum(whatsapp_notifications) AS BIGINT) AS whatsapp_notifications
    FROM {{ ref('notifications_per_minute') }}
    {% if is_incremental() %}
    WHERE minute >= (SELECT min(day) FROM days)
      AND minute < (SELECT max(day) FROM days) + INTERVAL 1 DAY
    {% endif %}
    GROUP BY customer_id, CAST(minute AS DATE)
)
SELECT
    d.customer_id,
    d.day,
    coalesce(c.whatsapp_notifications, 0) AS whatsapp_notifications,
    timezone('UTC', d.last_minute + INTERVAL 1 MINUTE) AS last_update
FROM days AS d
LEFT JOIN counted AS c USING (customer_id, day)
