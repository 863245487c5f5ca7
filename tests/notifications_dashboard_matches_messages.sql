-- The incremental dashboard and billing must agree with a count over every
-- deduplicated WhatsApp message: a customer-day counted differently, missing
-- from the dashboard or the bill, or left there without a message, is a
-- failure.
WITH counted AS (
    SELECT customer_id, day, count(*) AS whatsapp_notifications
    FROM {{ ref('notification_messages') }}
    WHERE channel = 'whatsapp'
    GROUP BY customer_id, day
)
SELECT
    customer_id,
    day,
    c.whatsapp_notifications AS counted,
    d.whatsapp_notifications AS dashboard,
    b.whatsapp_notifications AS billed
FROM counted AS c
FULL JOIN {{ ref('notification_dashboard') }} AS d USING (customer_id, day)
FULL JOIN {{ ref('daily_billing') }} AS b USING (customer_id, day)
WHERE c.whatsapp_notifications IS DISTINCT FROM d.whatsapp_notifications
   OR d.whatsapp_notifications IS DISTINCT FROM b.whatsapp_notifications
