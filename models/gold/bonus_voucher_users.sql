-- Customers who earn a year-end bonus voucher: a year's total of at least
-- voucher_threshold. One row per customer and qualifying year.
SELECT
    c.user_id,
    c.name,
    c.email,
    y.year,
    y.total_spent
FROM {{ ref('spending_user_years') }} AS y
JOIN {{ ref('spending_customers') }} AS c ON c.user_id = y.user_id
WHERE y.total_spent >= CAST({{ var("voucher_threshold") | sql_string }} AS DECIMAL(18, 2))
ORDER BY y.year, c.user_id
