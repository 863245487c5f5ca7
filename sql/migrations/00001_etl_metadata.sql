-- The runner's own bookkeeping: one row per run, and the ledger of landing
-- files already loaded, which makes seed loading incremental by file.

-- +goose Up
CREATE SCHEMA IF NOT EXISTS etl_meta;

CREATE TABLE etl_meta.runs (
    run_id      VARCHAR NOT NULL,
    command     VARCHAR NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      VARCHAR NOT NULL,
    message     VARCHAR
);

CREATE TABLE etl_meta.file_ledger (
    seed       VARCHAR NOT NULL,
    path       VARCHAR NOT NULL,
    size       BIGINT NOT NULL,
    mtime      TIMESTAMPTZ NOT NULL,
    sha256     VARCHAR NOT NULL,
    row_count  BIGINT NOT NULL,
    run_id     VARCHAR NOT NULL,
    loaded_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE etl_meta.file_ledger;
DROP TABLE etl_meta.runs;
