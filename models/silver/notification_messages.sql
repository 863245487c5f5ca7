-- One row per message_id: its earliest delivery (at-least-once delivery
-- sends some messages twice, even in different files), ties on time going
-- to the earlier file and line. Read from bronze, conformed as
-- notification_deliveries conforms it, so the kept copy's customer name and
-- payload need no join back.
-- Incremental: the new deliveries are merged into the current rows of
-- their messages (delete+insert): a late copy earlier than the one kept
-- takes its place, deliveries adds up, copies unites, which is what a full
-- rebuild decides from all the deliveries.
-- _loaded_at is the latest load of any copy, so it is this table's
-- watermark even when a new copy replaces nothing, and the gold models find
-- the messages they have not applied by it. copies lists the distinct
-- customer, channel and minute of every delivery of a message delivered
-- more than once (NULL when once): the minutes and days a change of the
-- kept copy touches, without a look-up in the deliveries.
-- message_key is hash(message_id), a number to find a message's row by far
-- more cheaply than by its text (a match is confirmed on message_id); it is
-- stored, so a run stops if DuckDB's hash() ever changes (--full-refresh
-- recomputes it). message_seq numbers the messages, a key the replace step
-- matches far more cheaply than the text id; the replace key holds
-- message_id too, which tells the runner that every id deleted is inserted
-- again, so a relationships test on message_id checks only new rows.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=['message_seq', 'message_id']) }}
{%- set copies_type = 'STRUCT(customer_id VARCHAR, channel VARCHAR, minute TIMESTAMP)[]' %}
WITH
mark AS (
    -- Never ahead of notification_deliveries: this table holds the messages
    -- of its deliveries, whatever a --select left unbuilt.
    SELECT
        (SELECT max(_loaded_at) FROM {{ ref('notification_deliveries') }}) AS delivered_through
        {%- if is_incremental() %},
        CASE
            WHEN (SELECT bool_and(message_key = hash(message_id)) FROM (SELECT message_key, message_id FROM {{ this }} LIMIT 100))
                IS NOT FALSE THEN {{ notifications_latest_load([this]) }}
            ELSE error('silver.notification_messages.message_key differs from hash(message_id): run --full-refresh of the notification models')
        END AS loaded_through
        {%- endif %}
),
delivered AS {% if not is_incremental() %}NOT MATERIALIZED {% endif %}(
    SELECT
        message_id,
        hash(message_id) AS message_key,
        customer_id,
        customer_name,
        lower(channel) AS channel,
        payload,
        event_at,
        date_trunc('minute', event_at) AS minute,
        CAST(event_at AS DATE) AS day,
        _source_file,
        _source_line,
        _loaded_at,
        -- A full build numbers a message by a bronze rowid of its own
        -- (distinct messages have distinct deliveries); a run numbers the
        -- new ones after the largest number. A window would number them
        -- too, but would write the table on one thread.
        {% if is_incremental() %}CAST(NULL AS BIGINT){% else %}rowid{% endif %} AS message_seq
    FROM {{ ref('notification_events') }}
    WHERE _loaded_at <= (SELECT delivered_through FROM mark)
    {% if is_incremental() %}
      AND _loaded_at > (SELECT loaded_through FROM mark)
    {% endif %}
),
candidates AS {% if not is_incremental() %}NOT MATERIALIZED {% endif %}(
    SELECT
        *,
        CAST(1 AS BIGINT) AS deliveries,
        CAST(NULL AS {{ copies_type }}) AS copies
    FROM delivered
    {% if is_incremental() %}
    UNION ALL BY NAME
    -- The current rows of the messages with a new delivery: found on the
    -- key column alone, then read by rowid (reading every column of the
    -- table to keep a few rows would cost a full scan), then confirmed on
    -- the id, since different ids can share a hash.
    SELECT *
    FROM {{ this }}
    WHERE rowid IN (SELECT rowid FROM {{ this }} WHERE message_key IN (SELECT message_key FROM delivered))
      AND message_id IN (SELECT message_id FROM delivered)
    {% endif %}
),
repeated AS (
    -- Nearly every message is delivered once: that delivery is its row, and
    -- only the keys seen more than once need an aggregate.
    SELECT message_key FROM candidates GROUP BY message_key HAVING count(*) > 1
),
merged AS (
    SELECT * FROM candidates
    ANTI JOIN repeated USING (message_key)
    UNION ALL BY NAME
    SELECT
        message_id,
        message_key,
        message_seq,
        kept.customer_id,
        kept.customer_name,
        kept.channel,
        kept.payload,
        kept.event_at,
        kept.minute,
        kept.day,
        deliveries,
        CASE WHEN deliveries > 1 THEN copies END AS copies,
        kept._source_file,
        kept._source_line,
        _loaded_at
    FROM (
        SELECT
            message_id,
            any_value(message_key) AS message_key,
            max(message_seq) AS message_seq,
            arg_min(
                {'customer_id': customer_id, 'customer_name': customer_name, 'channel': channel, 'payload': payload,
                 'event_at': event_at, 'minute': minute, 'day': day, '_source_file': _source_file, '_source_line': _source_line},
                {'event_at': event_at, '_source_file': _source_file, '_source_line': _source_line}
            ) AS kept,
            CAST(sum(deliveries) AS BIGINT) AS deliveries,
            list_distinct(flatten(list({{ notifications_copies() }}))) AS copies,
            max(_loaded_at) AS _loaded_at
        FROM candidates
        SEMI JOIN repeated USING (message_key)
        GROUP BY message_id
    )
)
SELECT
    message_id,
    {% if is_incremental() %}
    coalesce(message_seq, (SELECT coalesce(max(message_seq), 0) FROM {{ this }}) + row_number() OVER ()) AS message_seq,
    {% else %}
    message_seq,
    {% endif %}
    message_key,
    customer_id,
    customer_name,
    channel,
    payload,
    event_at,
    minute,
    day,
    deliveries,
    copies,
    _source_file,
    _source_line,
    _loaded_at
FROM merged
