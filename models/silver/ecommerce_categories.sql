-- Product categories as they stand now: the latest live image of each category_id.
SELECT
    {{ ecommerce_cdc_schema('columns', only='categories') }},
    changed_at AS _changed_at
FROM (
    SELECT json_transform(row_image, {{ ecommerce_cdc_schema('struct', only='categories') }}) AS fields, changed_at
    FROM {{ ref('ecommerce_cdc_state') }}
    WHERE table_name = 'categories' AND NOT is_deleted
)
