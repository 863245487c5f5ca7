-- Shipments as they stand now: the latest live image of each shipment_id.
SELECT
    {{ ecommerce_cdc_schema('columns', only='shipments') }},
    changed_at AS _changed_at
FROM (
    SELECT json_transform(row_image, {{ ecommerce_cdc_schema('struct', only='shipments') }}) AS fields, changed_at
    FROM {{ ref('ecommerce_cdc_state') }}
    WHERE table_name = 'shipments' AND NOT is_deleted
)
