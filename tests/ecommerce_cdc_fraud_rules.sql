-- order_fraud_alerts holds exactly the (order, rule) pairs the two rules
-- give, recomputed here the slow way: for every window of burst_window that
-- starts at one of a customer's order times, count the orders inside it with
-- a self-join instead of window functions. A pair on one side only is a
-- failure.
WITH orders AS (
    SELECT order_id, customer_id, order_time, total_price
    FROM {{ ref('ecommerce_orders') }}
),
width AS (
    SELECT CAST('{{ var("burst_window") }}' AS INTERVAL) AS w
),
starts AS (
    SELECT DISTINCT customer_id, order_time AS start_at FROM orders
),
windows AS (
    SELECT s.customer_id, s.start_at, s.start_at + width.w AS end_at, count(*) AS orders_inside
    FROM starts AS s
    CROSS JOIN width
    JOIN orders AS o
        ON o.customer_id = s.customer_id AND o.order_time >= s.start_at AND o.order_time < s.start_at + width.w
    GROUP BY s.customer_id, s.start_at, width.w
),
expected AS (
    SELECT order_id, 'high_value_order' AS rule
    FROM orders
    WHERE total_price > CAST('{{ var("high_value_order_vnd") }}' AS DECIMAL(18, 2))
    UNION
    SELECT o.order_id, 'order_burst' AS rule
    FROM windows AS b
    JOIN orders AS o
        ON o.customer_id = b.customer_id AND o.order_time >= b.start_at AND o.order_time < b.end_at
    WHERE b.orders_inside > CAST('{{ var("burst_max_orders") }}' AS BIGINT)
)
SELECT
    coalesce(e.order_id, a.order_id) AS order_id,
    coalesce(e.rule, a.rule) AS rule,
    e.order_id IS NOT NULL AS expected,
    a.order_id IS NOT NULL AS alerted
FROM expected AS e
FULL JOIN {{ ref('order_fraud_alerts') }} AS a USING (order_id, rule)
WHERE e.order_id IS NULL OR a.order_id IS NULL
