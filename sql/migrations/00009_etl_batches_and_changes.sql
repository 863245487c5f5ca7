-- Two working schemas of incremental models.
-- etl_batch holds, for the length of a run, the rows an incremental model
-- added in that run, named <schema>__<model>: its tests check those rows
-- instead of the whole table.
-- etl_changes holds, per model with a partitioned export, every row
-- inserted or replaced since its files were last published: the next export
-- rewrites only the files those rows fall in. A missing table means "not
-- known", and the export writes everything.

-- +goose Up
CREATE SCHEMA etl_batch;
CREATE SCHEMA etl_changes;

-- +goose Down
DROP SCHEMA etl_changes CASCADE;
DROP SCHEMA etl_batch CASCADE;
