-- Products as they stand now: the latest live image of each product_id.
SELECT
    {{ ecommerce_cdc_schema('columns', only='products') }},
    changed_at AS _changed_at
FROM (
    SELECT json_transform(row_image, {{ ecommerce_cdc_schema('struct', only='products') }}) AS fields, changed_at
    FROM {{ ref('ecommerce_cdc_state') }}
    WHERE table_name = 'products' AND NOT is_deleted
)
