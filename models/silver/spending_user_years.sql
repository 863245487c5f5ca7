-- Purchases summed per customer and year. Only kept purchases count: bronze
-- has already rejected those of unknown customers.
SELECT
    user_id,
    year,
    count(*) AS spending_records,
    CAST(sum(money_spent) AS DECIMAL(18, 2)) AS total_spent
FROM {{ ref('spending_records') }}
GROUP BY user_id, year
