-- One row per order and customer rule it breaks. The shop rules are the
-- same orders seen from the seller's side (order_under_1000 is a shop's
-- order_boosting, buys_from_own_shop its owner_self_purchase), so both
-- fraud reports read this one table.
WITH voucher_days AS (
    SELECT
        *,
        count(*) FILTER (WHERE voucher_used) OVER (PARTITION BY uid, txn_date) AS vouchers_that_day
    FROM {{ ref('campaign_orders') }}
),
flags AS (
    SELECT *, 'order_under_1000' AS reason FROM voucher_days WHERE under_min_gmv
    UNION ALL
    SELECT *, 'more_than_one_voucher_per_day' FROM voucher_days WHERE voucher_used AND vouchers_that_day > 1
    UNION ALL
    SELECT *, 'rebate_over_cap' FROM voucher_days WHERE rebate > rebate_cap
    UNION ALL
    SELECT *, 'buys_from_own_shop' FROM voucher_days WHERE own_shop
)
SELECT order_id, txn_date, uid, shop_id, shop_owner_uid, gmv, rebate, reason
FROM flags
ORDER BY order_id, reason
