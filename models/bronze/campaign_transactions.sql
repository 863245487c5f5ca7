-- Campaign orders typed from raw.campaign_transactions. A row that cannot be
-- typed goes to campaign_transactions_rejects with the reason, as the file
-- had it. An order id that appears more than once keeps its last valid row
-- of the landing files (a re-export corrects an earlier line); the earlier
-- rows are rejected as duplicates, so the row audit still adds up.
WITH typed AS (
    SELECT
        {{ campaign_timestamp('txn_time') }} AS txn_time,
        {{ campaign_day('txn_date') }} AS txn_date,
        {{ campaign_id('order_id') }} AS order_id,
        {{ campaign_id('uid') }} AS uid,
        {{ campaign_id('shop_id') }} AS shop_id,
        {{ campaign_id('shop_owner_uid') }} AS shop_owner_uid,
        {{ campaign_vnd('gmv') }} AS gmv,
        {{ campaign_vnd('rebate') }} AS rebate,
        {{ blank_to_null('order_id') }} IS NULL AS order_id_blank,
        {{ blank_to_null('uid') }} IS NULL AS uid_blank,
        {{ blank_to_null('shop_id') }} IS NULL AS shop_id_blank,
        {{ blank_to_null('shop_owner_uid') }} IS NULL AS shop_owner_uid_blank,
        {{ blank_to_null('gmv') }} IS NULL AS gmv_blank,
        {{ blank_to_null('rebate') }} IS NULL AS rebate_blank,
        _source_file,
        _source_line,
        _loaded_at
    FROM {{ source('raw', 'campaign_transactions') }}
),
checked AS (
    SELECT
        *,
        CASE
            WHEN order_id_blank THEN 'missing order_id'
            WHEN order_id IS NULL THEN 'order_id is not an integer'
            WHEN uid_blank THEN 'missing uid'
            WHEN uid IS NULL THEN 'uid is not an integer'
            WHEN shop_id_blank THEN 'missing shop_id'
            WHEN shop_id IS NULL THEN 'shop_id is not an integer'
            WHEN shop_owner_uid_blank THEN 'missing shop_owner_uid'
            WHEN shop_owner_uid IS NULL THEN 'shop_owner_uid is not an integer'
            WHEN txn_time IS NULL THEN 'txn_time is not a YYYY-MM-DD HH:MM:SS time'
            WHEN txn_date IS NULL THEN 'txn_date is not a YYYY-MM-DD date'
            WHEN txn_date <> CAST(txn_time AS DATE) THEN 'txn_date is not the day of txn_time'
            WHEN gmv_blank THEN 'missing gmv'
            WHEN gmv IS NULL THEN 'gmv is not a whole number'
            WHEN gmv < 0 THEN 'gmv is negative'
            WHEN rebate_blank THEN 'missing rebate'
            WHEN rebate IS NULL THEN 'rebate is not a whole number'
            WHEN rebate < 0 THEN 'rebate is negative'
        END AS invalid_reason
    FROM typed
)
SELECT
    txn_time,
    txn_date,
    order_id,
    uid,
    shop_id,
    shop_owner_uid,
    gmv,
    rebate,
    _source_file,
    _source_line,
    _loaded_at,
    CASE
        WHEN invalid_reason IS NOT NULL THEN invalid_reason
        WHEN row_number() OVER (
            PARTITION BY invalid_reason IS NULL, order_id
            ORDER BY _source_file DESC, _source_line DESC
        ) > 1 THEN 'duplicate order_id'
    END AS _reject_reason
FROM checked
