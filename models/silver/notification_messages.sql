-- One row per message_id: its earliest delivery (at-least-once delivery
-- sends some messages twice, even in different files). A run recomputes
-- only the messages with a new delivery, from all their deliveries, and
-- replaces them (delete+insert on message_id): a late copy that is earlier
-- than the one kept takes its place. Ties on time go to the earlier file and
-- line, which a full rebuild decides the same way.
-- _loaded_at is the latest load of any copy, so it is this table's
-- watermark even when a new copy replaces nothing.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='message_id') }}
WITH copies AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY message_id ORDER BY event_at, _source_file, _source_line) AS copy_rank,
        count(*) OVER (PARTITION BY message_id) AS deliveries,
        max(_loaded_at) OVER (PARTITION BY message_id) AS last_loaded_at
    FROM {{ ref('notification_deliveries') }}
    {% if is_incremental() %}
    WHERE message_id IN (
        SELECT message_id FROM {{ ref('notification_deliveries') }}
        WHERE _loaded_at > {{ notifications_latest_load([this]) }}
    )
    {% endif %}
),
kept AS (
    SELECT * FROM copies WHERE copy_rank = 1
)
SELECT
    k.message_id,
    k.customer_id,
    e.customer_name,
    k.channel,
    e.payload,
    k.event_at,
    k.minute,
    k.day,
    k.deliveries,
    k._source_file,
    k._source_line,
    k.last_loaded_at AS _loaded_at
FROM kept AS k
JOIN {{ ref('notification_events') }} AS e USING (_source_file, _source_line)
