-- One row per order and rule. high_value_order: the order's total is above
-- high_value_order_vnd. order_burst: the customer placed more than
-- burst_max_orders orders within one burst_window, by order time; a window
-- is half-open (an order exactly burst_window after the first is outside),
-- and every order inside such a window is flagged. burst_orders is the most
-- orders of the customer in any window holding this order.
--
-- The busiest window holding an order can always be taken to start at one of
-- the customer's orders, so two window functions suffice: the orders in the
-- window starting at each order, then the largest such count among the
-- windows that started less than burst_window before it.
WITH orders AS (
    SELECT order_id, customer_id, order_time, total_price
    FROM {{ ref('ecommerce_orders') }}
),
starting AS (
    SELECT
        *,
        count(*) OVER (
            PARTITION BY customer_id ORDER BY order_time
            RANGE BETWEEN CURRENT ROW AND CAST({{ var("burst_window") | sql_string }} AS INTERVAL) - INTERVAL 1 MICROSECOND FOLLOWING
        ) AS orders_from_here
    FROM orders
),
bursts AS (
    SELECT
        *,
        max(orders_from_here) OVER (
            PARTITION BY customer_id ORDER BY order_time
            RANGE BETWEEN CAST({{ var("burst_window") | sql_string }} AS INTERVAL) - INTERVAL 1 MICROSECOND PRECEDING AND CURRENT ROW
        ) AS burst_orders
    FROM starting
)
SELECT order_id, customer_id, order_time, total_price, 'high_value_order' AS rule, CAST(NULL AS BIGINT) AS burst_orders
FROM orders
WHERE total_price > CAST({{ var('high_value_order_vnd') | sql_string }} AS DECIMAL(18, 2))
UNION ALL
SELECT order_id, customer_id, order_time, total_price, 'order_burst' AS rule, burst_orders
FROM bursts
WHERE burst_orders > CAST({{ var('burst_max_orders') | sql_string }} AS BIGINT)
ORDER BY order_time, order_id, rule
