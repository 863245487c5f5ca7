-- Per customer and UTC day: the WhatsApp notifications of the dashboard
-- billed at notification_unit_price (BRL), in exact decimal arithmetic
-- rounded to the cent. A run replaces only the customer-days an unapplied
-- message touches (every day of a WhatsApp delivery of it), so a new price
-- needs --full-refresh to reach past days.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=['customer_id', 'day']) }}
SELECT
    d.customer_id,
    d.day,
    d.whatsapp_notifications,
    CAST('{{ var("notification_unit_price") }}' AS DECIMAL(18, 4)) AS unit_price,
    CAST(d.whatsapp_notifications * CAST('{{ var("notification_unit_price") }}' AS DECIMAL(18, 4)) AS DECIMAL(18, 2)) AS amount,
    'BRL' AS currency
FROM {{ ref('notification_dashboard') }} AS d
{% if is_incremental() %}
SEMI JOIN (
    SELECT customer_id, day FROM ({{ notifications_unapplied_copies() }}) WHERE channel = 'whatsapp'
) AS affected USING (customer_id, day)
{% endif %}
