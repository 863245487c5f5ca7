-- Per day (UTC, by order time) and product category: the orders, quantity
-- and revenue sold. Like top_products it counts only items with a positive
-- quantity, of current orders, whose product is known (its category comes
-- from the product's current state).
SELECT
    l.order_day AS day,
    l.category_id,
    c.name AS category_name,
    count(DISTINCT l.order_id) AS order_count,
    CAST(sum(l.quantity) AS BIGINT) AS quantity,
    CAST(sum(l.line_revenue) AS DECIMAL(18, 2)) AS revenue
FROM {{ ref('ecommerce_order_lines') }} AS l
LEFT JOIN {{ ref('ecommerce_categories') }} AS c USING (category_id)
WHERE l.category_id IS NOT NULL
GROUP BY l.order_day, l.category_id, c.name
ORDER BY day, category_id
