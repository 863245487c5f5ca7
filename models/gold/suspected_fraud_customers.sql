-- One row per customer, day and reason, with the orders that raised it as
-- evidence (sorted ids).
SELECT
    uid,
    txn_date,
    reason,
    count(*) AS orders,
    list(order_id ORDER BY order_id) AS order_ids
FROM {{ ref('campaign_order_flags') }}
GROUP BY uid, txn_date, reason
ORDER BY uid, txn_date, reason
