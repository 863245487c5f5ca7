-- The campaign per day and in total (level 'total', txn_date empty). The
-- total's distinct customers and shops are counted over the whole campaign,
-- not summed over days.
SELECT
    CASE WHEN grouping(txn_date) = 1 THEN 'total' ELSE 'day' END AS level,
    txn_date,
    count(*) AS orders,
    coalesce(sum(gmv), 0) AS gmv,
    count(*) FILTER (WHERE voucher_used) AS vouchers_used,
    coalesce(sum(rebate), 0) AS rebate_paid,
    count(DISTINCT uid) AS customers,
    count(DISTINCT shop_id) AS shops
FROM {{ ref('campaign_orders') }}
GROUP BY GROUPING SETS ((txn_date), ())
ORDER BY grouping(txn_date), txn_date
