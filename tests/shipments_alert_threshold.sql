-- shipment_return_alerts holds exactly the customer months (year and month
-- together) with at least alert_min_problem_orders problem shipments, with
-- that count: a row on one side only, or another count, is a failure.
WITH counted AS (
    SELECT
        customer_id,
        year(shipping_date) AS y,
        month(shipping_date) AS m,
        count(*) AS problems
    FROM {{ ref('shipments_current') }}
    WHERE lower(trim(shipping_status)) IN ('cancelled', 'canceled', 'returned')
    GROUP BY ALL
),
expected AS (
    SELECT customer_id, make_date(y, m, 1) AS month, problems
    FROM counted
    WHERE problems >= CAST('{{ var("alert_min_problem_orders") }}' AS BIGINT)
)
SELECT
    coalesce(e.customer_id, a.customer_id) AS customer_id,
    coalesce(e.month, a.month) AS month,
    e.problems AS expected_count,
    a.problem_shipment_count AS alert_count
FROM expected AS e
FULL JOIN {{ ref('shipment_return_alerts') }} AS a
    ON a.customer_id = e.customer_id AND a.month = e.month
WHERE e.customer_id IS NULL OR a.customer_id IS NULL OR e.problems <> a.problem_shipment_count
