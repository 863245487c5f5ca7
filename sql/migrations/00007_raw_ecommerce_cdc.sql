-- Landing table for the shop database's change events (Debezium envelope,
-- newline-delimited JSON, many files). Every value is text, exactly as the
-- file said it: the nested before, after and source objects land as their
-- JSON text; typing and validation happen in bronze.

-- +goose Up
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE raw.ecommerce_cdc (
    "before"     VARCHAR,
    "after"      VARCHAR,
    op           VARCHAR,
    ts_ms        VARCHAR,
    "source"     VARCHAR,
    _source_file VARCHAR NOT NULL,
    _source_line BIGINT NOT NULL,
    _loaded_at   TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE raw.ecommerce_cdc;
