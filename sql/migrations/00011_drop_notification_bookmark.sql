-- The runner now tracks what each incremental model has consumed (config
-- batch), so the notification family needs no bookmark model of its own,
-- and notification_deliveries is gone. The models rebuild once on their
-- first run after this: they have no batch state yet.

-- +goose Up
DROP TABLE IF EXISTS gold.notification_gold_watermark;
DROP TABLE IF EXISTS silver.notification_deliveries;

-- +goose Down
CREATE SCHEMA IF NOT EXISTS gold;
CREATE TABLE gold.notification_gold_watermark (
    processed_through TIMESTAMPTZ,
    detail_rows       BIGINT,
    per_minute_rows   BIGINT,
    dashboard_rows    BIGINT,
    billing_rows      BIGINT
);
