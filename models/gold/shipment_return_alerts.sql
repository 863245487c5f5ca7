-- A customer with at least alert_min_problem_orders problem shipments
-- (cancelled or returned) in one calendar month, year and month together.
-- A customer missing from the client list is still alerted, with empty
-- contact fields.
WITH problem_months AS (
    SELECT
        customer_id,
        customer_kind,
        shipping_month AS month,
        count(*) AS problem_shipment_count,
        list(shipping_id ORDER BY shipping_id) AS shipping_ids
    FROM {{ ref('shipments_current') }}
    WHERE is_problem
    GROUP BY customer_id, customer_kind, shipping_month
)
SELECT
    p.customer_id,
    p.customer_kind,
    p.month,
    p.problem_shipment_count,
    p.shipping_ids,
    c.name AS client_name,
    c.email AS client_email
FROM problem_months AS p
LEFT JOIN {{ ref('shipments_client_contacts') }} AS c USING (customer_id)
WHERE p.problem_shipment_count >= CAST({{ var('alert_min_problem_orders') | sql_string }} AS BIGINT)
ORDER BY p.customer_id, p.month
