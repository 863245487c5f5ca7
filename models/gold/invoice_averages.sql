-- Average monthly invoice over the 3 and 6 calendar months before the
-- reference month. An average is NULL unless the account has an invoice in
-- every month of its window, and is truncated (not rounded) to 2 decimals.
WITH reference AS (
    SELECT CAST({{ var("invoice_reference_month") | sql_string }} AS DATE) AS month
),
accounts AS (
    SELECT DISTINCT customer, account FROM {{ ref('invoice_months') }}
),
windows AS (
    SELECT
        m.customer,
        m.account,
        count(*) FILTER (WHERE m.month >= r.month - INTERVAL 3 MONTH) AS months_3,
        sum(m.invoice_total) FILTER (WHERE m.month >= r.month - INTERVAL 3 MONTH) AS total_3,
        count(*) AS months_6,
        sum(m.invoice_total) AS total_6
    FROM {{ ref('invoice_months') }} AS m, reference AS r
    WHERE m.month < r.month
      AND m.month >= r.month - INTERVAL 6 MONTH
    GROUP BY m.customer, m.account
)
SELECT
    a.customer,
    a.account,
    CASE WHEN w.months_3 = 3 THEN {{ truncated_average('w.total_3', 3) }} END AS avg_invoices_last_3_months,
    CASE WHEN w.months_6 = 6 THEN {{ truncated_average('w.total_6', 6) }} END AS avg_invoices_last_6_months
FROM accounts AS a
LEFT JOIN windows AS w USING (customer, account)
ORDER BY a.customer, a.account
