-- One row per kept customer, conformed: email lower-cased (addresses are
-- compared and mailed case-insensitively) and the age group attached.
SELECT
    u.user_id,
    u.name,
    lower(u.email) AS email,
    u.age,
    g.age_group
FROM {{ ref('spending_users') }} AS u
JOIN {{ spending_age_groups('g') }}
    ON u.age >= g.min_age AND (g.max_age IS NULL OR u.age <= g.max_age)
