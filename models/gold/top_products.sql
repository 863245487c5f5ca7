-- Per day (UTC, by order time) the five products sold most by quantity and
-- the five with the most revenue, in long form: one row per day, ranking and
-- rank. Items with a quantity of 0 or less are not sales and are ignored.
-- Ties are broken by the other measure, then by product_id, so each list has
-- at most five rows and ranks 1..5 are unique.
WITH sold AS (
    SELECT
        order_day AS day,
        product_id,
        any_value(product_name) AS product_name,
        CAST(sum(quantity) AS BIGINT) AS quantity,
        CAST(sum(line_revenue) AS DECIMAL(18, 2)) AS revenue
    FROM {{ ref('ecommerce_order_lines') }}
    GROUP BY order_day, product_id
),
ranked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY day ORDER BY quantity DESC, revenue DESC, product_id) AS quantity_rank,
        row_number() OVER (PARTITION BY day ORDER BY revenue DESC, quantity DESC, product_id) AS revenue_rank
    FROM sold
)
SELECT day, 'quantity' AS ranking, quantity_rank AS rank, product_id, product_name, quantity, revenue
FROM ranked
WHERE quantity_rank <= 5
UNION ALL
SELECT day, 'revenue' AS ranking, revenue_rank AS rank, product_id, product_name, quantity, revenue
FROM ranked
WHERE revenue_rank <= 5
ORDER BY day, ranking, rank
