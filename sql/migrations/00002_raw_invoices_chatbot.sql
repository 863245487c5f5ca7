-- Landing tables for the billing and conversation-flow inputs. Every value is
-- text, exactly as the file said it; typing happens in bronze.

-- +goose Up
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE raw.invoices (
    customer     VARCHAR,
    account      VARCHAR,
    month        VARCHAR,
    invoice      VARCHAR,
    _source_file VARCHAR NOT NULL,
    _source_line BIGINT NOT NULL,
    _loaded_at   TIMESTAMPTZ NOT NULL
);

-- content is the JSON text of the answers object.
CREATE TABLE raw.chatbot (
    customer     VARCHAR,
    flow         VARCHAR,
    session      VARCHAR,
    "timestamp"  VARCHAR,
    content      VARCHAR,
    _source_file VARCHAR NOT NULL,
    _source_line BIGINT NOT NULL,
    _loaded_at   TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE raw.chatbot;
DROP TABLE raw.invoices;
