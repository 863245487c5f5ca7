-- Per customer and UTC minute: the messages counted there (each once, at
-- its earliest delivery), all channels and WhatsApp alone. A row exists for
-- every minute with a delivery, so a minute whose only message moved to an
-- earlier copy keeps a row with 0: delete+insert can replace a row but
-- never remove one, and a full rebuild must give the same rows.
-- A run recomputes only the minutes of the deliveries of unapplied messages
-- (their copies, kept by notification_messages); the count reads the
-- messages of those minutes, which DuckDB finds by the minutes' range.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=['customer_id', 'minute']) }}
WITH minutes AS (
    SELECT DISTINCT customer_id, minute
    {% if is_incremental() %}
    FROM ({{ notifications_unapplied_copies() }})
    {% else %}
    FROM {{ ref('notification_deliveries') }}
    {% endif %}
),
counted AS (
    SELECT
        customer_id,
        minute,
        count(*) AS notifications,
        count(*) FILTER (WHERE channel = 'whatsapp') AS whatsapp_notifications
    FROM {{ ref('notification_messages') }}
    {% if is_incremental() %}
    SEMI JOIN minutes USING (customer_id, minute)
    {% endif %}
    GROUP BY customer_id, minute
)
SELECT
    m.customer_id,
    m.minute,
    coalesce(c.notifications, 0) AS notifications,
    coalesce(c.whatsapp_notifications, 0) AS whatsapp_notifications
FROM minutes AS m
LEFT JOIN counted AS c USING (customer_id, minute)
