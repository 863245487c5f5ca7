-- Payments as they stand now: the latest live image of each payment_id. A
-- refund is a payment with a negative amount and status refunded.
SELECT
    {{ ecommerce_cdc_schema('columns', only='payments') }},
    changed_at AS _changed_at
FROM (
    SELECT json_transform(row_image, {{ ecommerce_cdc_schema('struct', only='payments') }}) AS fields, changed_at
    FROM {{ ref('ecommerce_cdc_state') }}
    WHERE table_name = 'payments' AND NOT is_deleted
)
