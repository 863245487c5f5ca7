-- Landing table for the voucher campaign's transactions. Every value is text,
-- exactly as the file said it; typing happens in bronze.

-- +goose Up
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE raw.campaign_transactions (
    txn_time       VARCHAR,
    txn_date       VARCHAR,
    order_id       VARCHAR,
    uid            VARCHAR,
    shop_id        VARCHAR,
    shop_owner_uid VARCHAR,
    gmv            VARCHAR,
    rebate         VARCHAR,
    _source_file   VARCHAR NOT NULL,
    _source_line   BIGINT NOT NULL,
    _loaded_at     TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE raw.campaign_transactions;
