-- One row per client of the vendor, typed. identification_number is the
-- customer id the shipments carry in order_vendor_dbname; a repeated id
-- keeps the latest row of the file, like the shipments.
WITH typed AS (
    SELECT
        identification_number,
        {{ shipments_customer_kind('identification_number') }} AS customer_kind,
        {{ blank_to_null('name') }} AS name,
        {{ blank_to_null('email') }} AS email,
        _source_file,
        _source_line,
        _loaded_at,
        row_number() OVER (
            PARTITION BY {{ shipments_customer_id('identification_number') }}
            ORDER BY _source_file DESC, _source_line DESC
        ) AS newer_rows
    FROM {{ source('raw', 'clients') }}
)
SELECT
    identification_number,
    customer_kind,
    name,
    email,
    _source_file,
    _source_line,
    _loaded_at,
    CASE
        WHEN {{ blank_to_null('identification_number') }} IS NULL THEN 'missing identification_number'
        WHEN customer_kind IS NULL THEN 'identification_number is not a company or individual id'
        WHEN email IS NOT NULL AND NOT {{ shipments_is_email('email') }} THEN 'email is not an address'
        WHEN newer_rows > 1 THEN 'duplicate identification_number: a later row replaces it'
    END AS _reject_reason
FROM typed
