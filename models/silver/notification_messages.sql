-- One row per message_id: its earliest delivery (at-least-once delivery
-- sends some messages twice, even in different files), ties on time going
-- to the earlier file and line, with that copy's customer name and payload,
-- the channel lower-cased, and its UTC minute and day.
-- Nearly every message arrives once, so only the repeated ones are ranked;
-- the others keep the order they landed in, which is time order, so that
-- the per-minute counts and the exports find a minute's rows by DuckDB's
-- zone maps instead of reading the whole table.
-- batch: key: a run reads every delivery of the message ids that new
-- events bring, and replaces those messages' rows.
{{ config(materialized='incremental', batch='key', unique_key='message_id') }}
WITH repeated AS (
    SELECT message_id
    FROM {{ ref('notification_events') }}
    GROUP BY message_id
    HAVING count(*) > 1
),
later_copies AS (
    SELECT message_id, _source_file, _source_line
    FROM {{ ref('notification_events') }}
    SEMI JOIN repeated USING (message_id)
    QUALIFY row_number() OVER (PARTITION BY message_id ORDER BY event_at, _source_file, _source_line) > 1
)
SELECT
    message_id,
    customer_id,
    customer_name,
    lower(channel) AS channel,
    payload,
    event_at,
    date_trunc('minute', event_at) AS minute,
    CAST(event_at AS DATE) AS day,
    _source_file,
    _source_line
FROM {{ ref('notification_events') }}
ANTI JOIN later_copies USING (message_id, _source_file, _source_line)
