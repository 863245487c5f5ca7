-- Per customer: orders, total GMV and rebate, the dense rank by total GMV
-- (1 = highest) and the tier of that total.
WITH totals AS (
    SELECT
        uid,
        count(*) AS orders,
        sum(gmv) AS total_gmv,
        sum(rebate) AS total_rebate
    FROM {{ ref('campaign_orders') }}
    GROUP BY uid
)
SELECT
    uid,
    orders,
    total_gmv,
    total_rebate,
    dense_rank() OVER (ORDER BY total_gmv DESC) AS gmv_rank,
    {{ campaign_tier('total_gmv') }} AS tier
FROM totals
ORDER BY gmv_rank, uid
