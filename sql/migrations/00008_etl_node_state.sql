-- What each node last built from: a fingerprint of its SQL, its config and
-- the versions of its inputs. A run skips a node whose fingerprint is
-- unchanged, so a run that finds nothing new does next to nothing.

-- +goose Up
CREATE TABLE etl_meta.node_state (
    node_id     VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    run_id      VARCHAR NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE etl_meta.node_state;
