-- Landing tables of the event feeds, every value as text. The suite copies
-- the repository's own migrations (the runner's bookkeeping) beside this one.

-- +goose Up
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE raw.events_csv (
    id           VARCHAR,
    amount       VARCHAR,
    event_at     VARCHAR,
    day          VARCHAR,
    note         VARCHAR,
    _source_file VARCHAR NOT NULL,
    _source_line BIGINT NOT NULL,
    _loaded_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.events_ndjson (
    id           VARCHAR,
    amount       VARCHAR,
    event_at     VARCHAR,
    day          VARCHAR,
    note         VARCHAR,
    _source_file VARCHAR NOT NULL,
    _source_line BIGINT NOT NULL,
    _loaded_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw.events_json (
    id           VARCHAR,
    amount       VARCHAR,
    event_at     VARCHAR,
    day          VARCHAR,
    note         VARCHAR,
    _source_file VARCHAR NOT NULL,
    _source_line BIGINT NOT NULL,
    _loaded_at   TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE raw.events_json;
DROP TABLE raw.events_ndjson;
DROP TABLE raw.events_csv;
