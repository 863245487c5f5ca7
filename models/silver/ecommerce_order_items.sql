-- Order items as they stand now: the latest live image of each item_id.
-- Items with a quantity of 0 or less stay here as the shop recorded them;
-- the gold sales models leave them out.
SELECT
    {{ ecommerce_cdc_schema('columns', only='order_items') }},
    changed_at AS _changed_at
FROM (
    SELECT json_transform(row_image, {{ ecommerce_cdc_schema('struct', only='order_items') }}) AS fields, changed_at
    FROM {{ ref('ecommerce_cdc_state') }}
    WHERE table_name = 'order_items' AND NOT is_deleted
)
