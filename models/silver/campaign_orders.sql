-- One row per campaign order, conformed: whether a voucher was used (a
-- rebate above zero), the most the voucher could refund, and the facts the
-- fraud rules look at.
SELECT
    order_id,
    txn_time,
    txn_date,
    uid,
    shop_id,
    shop_owner_uid,
    gmv,
    rebate,
    rebate > 0 AS voucher_used,
    {{ campaign_rebate_cap('gmv') }} AS rebate_cap,
    gmv < CAST({{ var('min_plausible_gmv') | sql_string }} AS DECIMAL(18, 2)) AS under_min_gmv,
    uid = shop_owner_uid AS own_shop
FROM {{ ref('campaign_transactions') }}
ORDER BY order_id
