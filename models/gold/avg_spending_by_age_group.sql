-- One row per age group, every group listed even when empty. users counts
-- every kept customer of the group; the averages are over purchases
-- (avg_per_record) and over customers with at least one purchase
-- (avg_total_per_spending_user, all years together), rounded half away from
-- zero to 2 decimals in exact decimal arithmetic; NULL without purchases.
WITH per_user AS (
    SELECT
        c.user_id,
        c.age_group,
        sum(y.spending_records) AS spending_records,
        sum(y.total_spent) AS total_spent
    FROM {{ ref('spending_customers') }} AS c
    LEFT JOIN {{ ref('spending_user_years') }} AS y ON y.user_id = c.user_id
    GROUP BY c.user_id, c.age_group
),
per_group AS (
    SELECT
        age_group,
        count(*) AS users,
        count(spending_records) AS spending_users,
        coalesce(sum(spending_records), 0) AS spending_records,
        sum(total_spent) AS total_spent
    FROM per_user
    GROUP BY age_group
)
SELECT
    g.age_group,
    g.min_age,
    g.max_age,
    coalesce(p.users, 0) AS users,
    coalesce(p.spending_users, 0) AS spending_users,
    CAST(coalesce(p.spending_records, 0) AS BIGINT) AS spending_records,
    CAST(coalesce(p.total_spent, 0) AS DECIMAL(18, 2)) AS total_spent,
    {{ spending_rounded_average('p.total_spent', 'p.spending_records') }} AS avg_per_record,
    {{ spending_rounded_average('p.total_spent', 'p.spending_users') }} AS avg_total_per_spending_user
FROM {{ spending_age_groups('g') }}
LEFT JOIN per_group AS p ON p.age_group = g.age_group
ORDER BY g.min_age
