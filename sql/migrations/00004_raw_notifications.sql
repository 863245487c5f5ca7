-- Landing table for the notification topic: NDJSON files, one per minute.
-- Every value is text, exactly as the file said it; typing and validation
-- happen in bronze. payload is a nested object in the file and lands as its
-- JSON text.
--
-- Also the gold models' bookmark, empty: the model
-- notification_gold_watermark replaces it at the end of every run that
-- builds all the family's gold models, and their incremental runs read it.
-- Created here so that a run which built some of them but not the bookmark
-- (a failed test, a narrower --select) leaves the next run something to read:
-- an empty bookmark makes them re-apply every message, which is correct.

-- +goose Up
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE raw.notifications (
    customer_id    VARCHAR,
    message_id     VARCHAR,
    customer_name  VARCHAR,
    channel        VARCHAR,
    payload        VARCHAR,
    event_datetime VARCHAR,
    _source_file   VARCHAR NOT NULL,
    _source_line   BIGINT NOT NULL,
    _loaded_at     TIMESTAMPTZ NOT NULL
);

CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE gold.notification_gold_watermark (
    processed_through TIMESTAMPTZ,
    detail_rows       BIGINT,
    per_minute_rows   BIGINT,
    dashboard_rows    BIGINT,
    billing_rows      BIGINT
);

-- +goose Down
DROP TABLE IF EXISTS gold.notification_gold_watermark;
DROP TABLE raw.notifications;
