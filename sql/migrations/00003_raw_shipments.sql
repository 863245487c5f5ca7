-- Landing tables for the logistics vendor's shipment export and its client
-- list. Every value is text, exactly as the file said it; typing and
-- validation happen in bronze. The vendor adds columns of its own now and
-- then: they are kept in _extra rather than lost or failing the load.

-- +goose Up
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE raw.shipments (
    shipping_id         VARCHAR,
    order_vendor_dbname VARCHAR,
    shipping_date       VARCHAR,
    shipping_status     VARCHAR,
    _source_file        VARCHAR NOT NULL,
    _source_line        BIGINT NOT NULL,
    _loaded_at          TIMESTAMPTZ NOT NULL,
    _extra              MAP(VARCHAR, VARCHAR)
);

CREATE TABLE raw.clients (
    identification_number VARCHAR,
    name                  VARCHAR,
    email                 VARCHAR,
    _source_file          VARCHAR NOT NULL,
    _source_line          BIGINT NOT NULL,
    _loaded_at            TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE raw.clients;
DROP TABLE raw.shipments;
