-- Typed invoices. A row that cannot be typed goes to bronze.invoices_rejects
-- with the reason, as the file had it.
SELECT
    {{ blank_to_null('customer') }} AS customer,
    {{ blank_to_null('account') }} AS account,
    {{ iso_date('month') }} AS month,
    {{ money('invoice') }} AS invoice,
    _source_file,
    _source_line,
    _loaded_at,
    CASE
        WHEN {{ blank_to_null('customer') }} IS NULL THEN 'missing customer'
        WHEN {{ blank_to_null('account') }} IS NULL THEN 'missing account'
        WHEN {{ iso_date('month') }} IS NULL THEN 'month is not a YYYY-MM-DD date'
        WHEN date_trunc('month', {{ iso_date('month') }}) <> {{ iso_date('month') }} THEN 'month is not the first day of a month'
        WHEN {{ money('invoice') }} IS NULL THEN 'invoice is not a number'
    END AS _reject_reason
FROM {{ source('raw', 'invoices') }}
