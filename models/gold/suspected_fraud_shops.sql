-- One row per shop, day and reason: order_boosting (orders under
-- min_plausible_gmv) and owner_self_purchase (the owner buying from the
-- shop), with the orders as evidence (sorted ids).
WITH shop_flags AS (
    SELECT
        shop_id,
        txn_date,
        order_id,
        CASE reason
            WHEN 'order_under_1000' THEN 'order_boosting'
            WHEN 'buys_from_own_shop' THEN 'owner_self_purchase'
        END AS reason
    FROM {{ ref('campaign_order_flags') }}
    WHERE reason IN ('order_under_1000', 'buys_from_own_shop')
)
SELECT
    f.shop_id,
    d.shop_owner_uid,
    f.txn_date,
    f.reason,
    count(*) AS orders,
    list(f.order_id ORDER BY f.order_id) AS order_ids
FROM shop_flags AS f
JOIN {{ ref('dim_shop_owner') }} AS d USING (shop_id)
GROUP BY f.shop_id, d.shop_owner_uid, f.txn_date, f.reason
ORDER BY f.shop_id, f.txn_date, f.reason
