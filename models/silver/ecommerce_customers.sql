-- Customers as they stand now: the latest live image of each customer_id.
SELECT
    {{ ecommerce_cdc_schema('columns', only='customers') }},
    changed_at AS _changed_at
FROM (
    SELECT json_transform(row_image, {{ ecommerce_cdc_schema('struct', only='customers') }}) AS fields, changed_at
    FROM {{ ref('ecommerce_cdc_state') }}
    WHERE table_name = 'customers' AND NOT is_deleted
)
