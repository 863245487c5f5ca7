-- Typed purchases. A row that cannot be typed, or whose user_id no valid
-- customer has, goes to spending_records_rejects with the reason: a purchase
-- without a customer has no age group and no one to send a voucher to, and
-- keeping it only in some gold tables would make them disagree.
WITH typed AS (
    SELECT
        {{ spending_whole_number('user_id') }} AS user_id,
        {{ spending_money('money_spent') }} AS money_spent,
        {{ spending_year('year') }} AS year,
        _source_file,
        _source_line,
        _loaded_at,
        CASE
            WHEN {{ blank_to_null('user_id') }} IS NULL THEN 'missing user_id'
            WHEN coalesce({{ spending_whole_number('user_id') }}, 0) = 0 THEN 'user_id is not a positive integer'
            WHEN {{ blank_to_null('money_spent') }} IS NULL THEN 'missing money_spent'
            WHEN {{ spending_money('money_spent') }} IS NULL THEN 'money_spent is not a number'
            WHEN {{ spending_sub_cent('money_spent') }} THEN 'money_spent has more than 2 decimals'
            WHEN {{ spending_money('money_spent') }} < 0 THEN 'money_spent is negative'
            WHEN {{ blank_to_null('year') }} IS NULL THEN 'missing year'
            WHEN {{ spending_year('year') }} IS NULL THEN 'year is not a year from 1900 to 2099'
        END AS reason
    FROM {{ source('raw', 'user_spending') }}
)
SELECT
    t.user_id,
    t.money_spent,
    t.year,
    t._source_file,
    t._source_line,
    t._loaded_at,
    coalesce(t.reason, CASE WHEN u.user_id IS NULL THEN 'unknown user_id' END) AS _reject_reason
FROM typed AS t
LEFT JOIN {{ ref('spending_users') }} AS u ON u.user_id = t.user_id
