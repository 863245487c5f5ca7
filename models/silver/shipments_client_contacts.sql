-- One row per known client, keyed by the canonical customer id so it joins
-- the shipments whatever the case of an individual's hex id.
SELECT
    {{ shipments_customer_id('identification_number') }} AS customer_id,
    customer_kind,
    name,
    email
FROM {{ ref('shipments_clients') }}
