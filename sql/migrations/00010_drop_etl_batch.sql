-- The rows an incremental model added in a run now live in the in-memory
-- catalog etl_scratch for the length of that run, never written to the
-- warehouse file: the etl_batch schema that held them is dropped.

-- +goose Up
DROP SCHEMA IF EXISTS etl_batch CASCADE;

-- +goose Down
CREATE SCHEMA etl_batch;
