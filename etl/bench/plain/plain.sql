-- The WhatsApp-notification family as a data engineer would write it by
-- hand: load the landing files once, keep one row per message, write the
-- four outputs. Statements end with a semicolon at the end of a line.
--
-- Two placeholders in double braces are filled in before the script runs:
-- files, the landing files as a SQL list sorted by path (so file_index
-- follows the path order), and out, the output folder inside a literal.

SET TimeZone = 'UTC';

-- Keep rows in file and line order: rowid then says which line of a file
-- came first (the last tie-breaker of the dedup).
SET preserve_insertion_order = true;

-- 1. Load: every field as text, cleaned and typed on the way in; rows
-- without a message, a customer, a channel or an ISO 8601 time with an
-- offset are dropped.
CREATE OR REPLACE TABLE events AS
SELECT
    message_id,
    customer_id,
    customer_name,
    lower(channel) AS channel,
    payload,
    make_timestamp(epoch_us(ts)) AS event_datetime,
    file_index
FROM (
    SELECT
        nullif(trim(message_id), '') AS message_id,
        nullif(trim(customer_id), '') AS customer_id,
        nullif(trim(customer_name), '') AS customer_name,
        nullif(trim(channel), '') AS channel,
        payload,
        CASE
            WHEN regexp_full_match(
                trim(event_datetime),
                '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)'
            ) THEN try_cast(trim(event_datetime) AS TIMESTAMPTZ)
        END AS ts,
        file_index
    FROM read_ndjson(
        {{files}},
        columns = {
            customer_id: 'VARCHAR',
            message_id: 'VARCHAR',
            customer_name: 'VARCHAR',
            channel: 'VARCHAR',
            payload: 'VARCHAR',
            event_datetime: 'VARCHAR'
        }
    )
)
WHERE message_id IS NOT NULL
  AND customer_id IS NOT NULL
  AND channel IS NOT NULL
  AND ts IS NOT NULL;

-- 2. Dedup: one row per message, its earliest copy (then the first file
-- by path, then the first line).
CREATE OR REPLACE TABLE messages AS
SELECT
    event_datetime::DATE AS day,
    customer_id,
    customer_name,
    message_id,
    channel,
    payload,
    event_datetime
FROM events
QUALIFY row_number() OVER (
    PARTITION BY message_id ORDER BY event_datetime, file_index, rowid
) = 1;

-- 3. Counts per customer and minute, then per customer and day.
CREATE OR REPLACE TABLE notifications_per_minute AS
SELECT
    customer_id,
    day,
    date_trunc('minute', event_datetime) AS minute,
    count(*) AS notifications,
    count(*) FILTER (WHERE channel = 'whatsapp') AS whatsapp_notifications
FROM messages
GROUP BY customer_id, day, minute
ORDER BY customer_id, minute;

CREATE OR REPLACE TABLE notification_dashboard AS
SELECT
    customer_id,
    day,
    sum(whatsapp_notifications)::BIGINT AS whatsapp_notifications,
    timezone('UTC', max(minute) + INTERVAL 1 MINUTE) AS last_update
FROM notifications_per_minute
WHERE whatsapp_notifications > 0
GROUP BY customer_id, day
ORDER BY customer_id, day;

CREATE OR REPLACE TABLE daily_billing AS
SELECT
    customer_id,
    day,
    whatsapp_notifications,
    0.04::DECIMAL(18, 4) AS unit_price,
    (whatsapp_notifications * 0.04::DECIMAL(18, 4))::DECIMAL(18, 2) AS amount,
    'BRL' AS currency
FROM notification_dashboard
ORDER BY customer_id, day;

-- 4. Outputs: the detail as hive partitions by day, the rest one file each.
COPY messages TO '{{out}}/notification_detail/parquet'
    (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day), OVERWRITE true);
COPY messages TO '{{out}}/notification_detail/csv'
    (FORMAT csv, HEADER true, PARTITION_BY (day), OVERWRITE true);
COPY notifications_per_minute TO '{{out}}/notifications_per_minute.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY notifications_per_minute TO '{{out}}/notifications_per_minute.csv' (FORMAT csv, HEADER true);
COPY notification_dashboard TO '{{out}}/notification_dashboard.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY notification_dashboard TO '{{out}}/notification_dashboard.csv' (FORMAT csv, HEADER true);
COPY daily_billing TO '{{out}}/daily_billing.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY daily_billing TO '{{out}}/daily_billing.csv' (FORMAT csv, HEADER true);
