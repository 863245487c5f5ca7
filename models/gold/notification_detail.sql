-- The detailed report: one row per message (duplicates counted once, the
-- earliest delivery kept), every channel, partitioned by UTC day on export.
-- A view: the rows are notification_messages' own, so a copy would earn
-- nothing. batch: load lets its tests and its partitioned exports follow
-- the rows notification_messages changed in a run, not the whole table.
{{ config(materialized='view', batch='load') }}
SELECT
    day,
    customer_id,
    customer_name,
    message_id,
    channel,
    payload,
    event_at AS event_datetime
FROM {{ ref('notification_messages') }}
