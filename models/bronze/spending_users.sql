-- Typed shop customers. A row that cannot be typed goes to
-- spending_users_rejects with the reason, as the file had it. A user_id is
-- kept once: its first valid row in file order; any later valid row with
-- the same id is rejected as a duplicate rather than silently merged, since
-- two rows may disagree on name, email or age.
WITH typed AS (
    SELECT
        {{ spending_whole_number('user_id') }} AS user_id,
        {{ blank_to_null('name') }} AS name,
        {{ blank_to_null('email') }} AS email,
        {{ spending_whole_number('age') }} AS age,
        _source_file,
        _source_line,
        _loaded_at,
        CASE
            WHEN {{ blank_to_null('user_id') }} IS NULL THEN 'missing user_id'
            WHEN coalesce({{ spending_whole_number('user_id') }}, 0) = 0 THEN 'user_id is not a positive integer'
            WHEN {{ blank_to_null('age') }} IS NULL THEN 'missing age'
            WHEN coalesce({{ spending_whole_number('age') }}, 999) > 120 THEN 'age is not a whole number from 0 to 120'
        END AS reason
    FROM {{ source('raw', 'user_info') }}
)
SELECT
    user_id,
    name,
    email,
    CAST(age AS INTEGER) AS age,
    _source_file,
    _source_line,
    _loaded_at,
    CASE
        WHEN reason IS NOT NULL THEN reason
        WHEN row_number() OVER (PARTITION BY user_id, reason IS NULL ORDER BY _source_file, _source_line) > 1 THEN 'duplicate user_id'
    END AS _reject_reason
FROM typed
