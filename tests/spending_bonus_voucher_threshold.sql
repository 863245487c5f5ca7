-- bonus_voucher_users holds exactly the customer years whose total reaches
-- voucher_threshold: a row on one side only is a failure.
WITH expected AS (
    SELECT user_id, year, total_spent
    FROM {{ ref('user_total_spending') }}
    WHERE year IS NOT NULL
      AND total_spent >= CAST('{{ var("voucher_threshold") }}' AS DECIMAL(18, 2))
)
SELECT coalesce(e.user_id, b.user_id) AS user_id, coalesce(e.year, b.year) AS year, e.total_spent AS expected_total, b.total_spent AS voucher_total
FROM expected AS e
FULL JOIN {{ ref('bonus_voucher_users') }} AS b ON b.user_id = e.user_id AND b.year = e.year
WHERE e.user_id IS NULL OR b.user_id IS NULL OR e.total_spent <> b.total_spent
