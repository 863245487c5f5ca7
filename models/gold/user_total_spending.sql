-- One row per customer and year with spending, and one row with year NULL
-- for each customer who spent nothing, so every customer is listed.
-- total_spent is the year's total; total_spent_all_years repeats the
-- customer's overall total on each of their rows, so a per-user listing is
-- SELECT DISTINCT user_id, name, total_spent_all_years. Summing total_spent
-- never double-counts.
WITH overall AS (
    SELECT user_id, sum(total_spent) AS total_all_years
    FROM {{ ref('spending_user_years') }}
    GROUP BY user_id
)
SELECT
    c.user_id,
    c.name,
    y.year,
    coalesce(y.spending_records, 0) AS spending_records,
    CAST(coalesce(y.total_spent, 0) AS DECIMAL(18, 2)) AS total_spent,
    CAST(coalesce(o.total_all_years, 0) AS DECIMAL(18, 2)) AS total_spent_all_years
FROM {{ ref('spending_customers') }} AS c
LEFT JOIN {{ ref('spending_user_years') }} AS y ON y.user_id = c.user_id
LEFT JOIN overall AS o ON o.user_id = c.user_id
ORDER BY c.user_id, y.year
