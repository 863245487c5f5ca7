-- Per customer and UTC day: the dashboard's WhatsApp notifications billed
-- at notification_unit_price (BRL), in exact decimal arithmetic rounded to
-- the cent. A new price changes this model's SQL, so the next run
-- rebuilds it.
{{ config(materialized='incremental', batch='key', unique_key=['customer_id', 'day']) }}
{%- set unit_price = "CAST(" ~ (var('notification_unit_price') | sql_string) ~ " AS DECIMAL(18, 4))" %}
SELECT
    customer_id,
    day,
    whatsapp_notifications,
    {{ unit_price }} AS unit_price,
    CAST(whatsapp_notifications * {{ unit_price }} AS DECIMAL(18, 2)) AS amount,
    'BRL' AS currency
FROM {{ ref('notification_dashboard') }}
