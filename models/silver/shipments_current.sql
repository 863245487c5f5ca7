-- One row per shipment (bronze already sent superseded rows to its
-- rejects), conformed: the canonical customer id, the calendar month and
-- whether the status is a problem (cancelled or returned). Extra vendor
-- columns ride along in _extra.
SELECT
    shipping_id,
    {{ shipments_customer_id('order_vendor_dbname') }} AS customer_id,
    customer_kind,
    shipping_date,
    CAST(date_trunc('month', shipping_date) AS DATE) AS shipping_month,
    shipping_status,
    shipping_status IN ('cancelled', 'returned') AS is_problem,
    _extra,
    _source_file,
    _source_line
FROM {{ ref('shipments_records') }}
