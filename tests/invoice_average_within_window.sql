-- An average can never exceed the largest monthly total of its window.
WITH reference AS (
    SELECT CAST('{{ var("invoice_reference_month") }}' AS DATE) AS month
)
SELECT a.customer, a.account, a.avg_invoices_last_3_months, max(m.invoice_total) AS largest_month
FROM {{ ref('invoice_averages') }} AS a
JOIN {{ ref('invoice_months') }} AS m USING (customer, account), reference AS r
WHERE m.month >= r.month - INTERVAL 3 MONTH AND m.month < r.month
GROUP BY a.customer, a.account, a.avg_invoices_last_3_months
HAVING a.avg_invoices_last_3_months > max(m.invoice_total)
