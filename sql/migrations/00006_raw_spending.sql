-- Landing tables for the online shop's customers and their purchases. Every
-- value is text, exactly as the file said it; typing happens in bronze.

-- +goose Up
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE raw.user_info (
    user_id      VARCHAR,
    name         VARCHAR,
    email        VARCHAR,
    age          VARCHAR,
    _source_file VARCHAR NOT NULL,
    _source_line BIGINT NOT NULL,
    _loaded_at   TIMESTAMPTZ NOT NULL
);

-- Many rows per user and year: each row is one purchase, with no key.
CREATE TABLE raw.user_spending (
    user_id      VARCHAR,
    money_spent  VARCHAR,
    year         VARCHAR,
    _source_file VARCHAR NOT NULL,
    _source_line BIGINT NOT NULL,
    _loaded_at   TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE raw.user_spending;
DROP TABLE raw.user_info;
