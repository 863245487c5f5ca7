-- Invoices of the same account in the same month are summed first.
SELECT
    customer,
    account,
    month,
    sum(invoice) AS invoice_total,
    count(*) AS invoice_count
FROM {{ ref('invoices') }}
GROUP BY customer, account, month
