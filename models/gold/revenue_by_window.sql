-- Revenue of current orders in tumbling windows of revenue_window by order
-- time (aligned on the Unix epoch, UTC). Every window from the first with an
-- order to the last is listed, empty ones with 0, so "the previous window" is
-- always the one just before. Revenue is the orders' total_price; the
-- average order value and the change in percent are rounded half away from
-- zero to 2 decimals, exactly.
WITH width AS (
    SELECT CAST({{ var("revenue_window") | sql_string }} AS INTERVAL) AS w
),
per_window AS (
    SELECT
        time_bucket(width.w, o.order_time, TIMESTAMP '1970-01-01') AS window_start,
        count(*) AS order_count,
        sum(o.total_price) AS revenue
    FROM {{ ref('ecommerce_orders') }} AS o, width
    GROUP BY 1
),
windows AS (
    SELECT unnest(generate_series(min(window_start), max(window_start), any_value(width.w))) AS window_start
    FROM per_window, width
),
series AS (
    SELECT
        s.window_start,
        s.window_start + width.w AS window_end,
        coalesce(p.order_count, 0) AS order_count,
        CAST(coalesce(p.revenue, 0) AS DECIMAL(18, 2)) AS revenue
    FROM windows AS s
    CROSS JOIN width
    LEFT JOIN per_window AS p USING (window_start)
),
changes AS (
    SELECT *, lag(revenue) OVER (ORDER BY window_start) AS previous_revenue
    FROM series
)
SELECT
    window_start,
    window_end,
    order_count,
    revenue,
    {{ ecommerce_cdc_ratio('revenue', 'order_count') }} AS avg_order_value,
    CAST(revenue - previous_revenue AS DECIMAL(18, 2)) AS revenue_change,
    {{ ecommerce_cdc_ratio('(revenue - previous_revenue) * 100', 'previous_revenue') }} AS revenue_change_pct
FROM changes
ORDER BY window_start
