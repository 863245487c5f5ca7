-- One row per shop with its owner. Should orders disagree on a shop's owner,
-- the owner named by the shop's latest order (by time, then order id) wins.
SELECT
    shop_id,
    arg_max(shop_owner_uid, struct_pack(t := txn_time, o := order_id)) AS shop_owner_uid
FROM {{ ref('campaign_orders') }}
GROUP BY shop_id
ORDER BY shop_id
