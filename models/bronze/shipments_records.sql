-- One row per vendor shipment row, typed. A row that cannot be typed, or
-- that a later row of the file replaces (same shipping_id), goes to
-- bronze.shipments_records_rejects with the reason, as the file had it.
-- The latest row decides even when it is itself invalid: the vendor's last
-- word on a shipment is never silently swapped for an older one.
WITH typed AS (
    SELECT
        {{ blank_to_null('shipping_id') }} AS shipping_id,
        order_vendor_dbname,
        {{ shipments_customer_kind('order_vendor_dbname') }} AS customer_kind,
        {{ shipments_calendar_date('shipping_date') }} AS shipping_date,
        shipping_date AS shipping_date_text,
        {{ shipments_status('shipping_status') }} AS shipping_status,
        _extra,
        _source_file,
        _source_line,
        _loaded_at,
        row_number() OVER (
            PARTITION BY {{ blank_to_null('shipping_id') }}
            ORDER BY _source_file DESC, _source_line DESC
        ) AS newer_rows
    FROM {{ source('raw', 'shipments') }}
)
SELECT
    shipping_id,
    order_vendor_dbname,
    customer_kind,
    shipping_date,
    shipping_status,
    coalesce(_extra, MAP {}::MAP(VARCHAR, VARCHAR)) AS _extra,
    _source_file,
    _source_line,
    _loaded_at,
    CASE
        WHEN shipping_id IS NULL THEN 'missing shipping_id'
        WHEN {{ blank_to_null('order_vendor_dbname') }} IS NULL THEN 'missing order_vendor_dbname'
        WHEN regexp_matches(order_vendor_dbname, '\s') THEN 'order_vendor_dbname contains spaces'
        WHEN customer_kind IS NULL THEN 'order_vendor_dbname is not a company or individual id'
        WHEN {{ blank_to_null('shipping_date_text') }} IS NULL THEN 'missing shipping_date'
        WHEN NOT {{ shipments_is_iso_date('shipping_date_text') }} THEN 'shipping_date is not YYYY-MM-DD'
        WHEN shipping_date IS NULL THEN 'shipping_date is not a calendar date'
        WHEN shipping_status IS NULL THEN 'missing shipping_status'
        WHEN newer_rows > 1 THEN 'duplicate shipping_id: a later row replaces it'
    END AS _reject_reason
FROM typed
