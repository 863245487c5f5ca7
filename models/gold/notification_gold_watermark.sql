-- The gold models' bookmark: the latest load of messages they have all
-- applied (the gold models read the messages, so this is what they saw).
-- It reads every gold model of the family, so it is built only after all
-- of them succeed; when one fails, the mark stays and the next run applies
-- the same messages again (recomputing a key is idempotent). The row
-- counts say what the gold tables held when the mark was set.
SELECT
    (SELECT max(_loaded_at) FROM {{ ref('notification_messages') }}) AS processed_through,
    (SELECT count(*) FROM {{ ref('notification_detail') }}) AS detail_rows,
    (SELECT count(*) FROM {{ ref('notifications_per_minute') }}) AS per_minute_rows,
    (SELECT count(*) FROM {{ ref('notification_dashboard') }}) AS dashboard_rows,
    (SELECT count(*) FROM {{ ref('daily_billing') }}) AS billing_rows
