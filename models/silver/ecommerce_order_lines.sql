-- The sold lines the sales models count: items of a current order with a
-- positive quantity, with the order's time and day (UTC) and the product's
-- current category. An item whose order is deleted or not (yet) known is
-- not a sale; its product may be unknown (product_id still counts).
SELECT
    i.item_id,
    i.order_id,
    o.customer_id,
    o.order_time,
    CAST(o.order_time AS DATE) AS order_day,
    i.product_id,
    p.name AS product_name,
    p.category_id,
    i.quantity,
    i.unit_price,
    CAST(i.quantity * i.unit_price AS DECIMAL(18, 2)) AS line_revenue
FROM {{ ref('ecommerce_order_items') }} AS i
JOIN {{ ref('ecommerce_orders') }} AS o USING (order_id)
LEFT JOIN {{ ref('ecommerce_products') }} AS p USING (product_id)
WHERE i.quantity > 0
