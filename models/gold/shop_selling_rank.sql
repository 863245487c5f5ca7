-- Per shop: its owner, orders and GMV, dense ranks by each (1 = highest),
-- and the tier of its GMV.
WITH totals AS (
    SELECT
        shop_id,
        count(*) AS orders,
        sum(gmv) AS gmv
    FROM {{ ref('campaign_orders') }}
    GROUP BY shop_id
)
SELECT
    t.shop_id,
    d.shop_owner_uid,
    t.orders,
    t.gmv,
    dense_rank() OVER (ORDER BY t.orders DESC) AS orders_rank,
    dense_rank() OVER (ORDER BY t.gmv DESC) AS gmv_rank,
    {{ campaign_tier('t.gmv') }} AS tier
FROM totals AS t
JOIN {{ ref('dim_shop_owner') }} AS d USING (shop_id)
ORDER BY gmv_rank, orders_rank, shop_id
