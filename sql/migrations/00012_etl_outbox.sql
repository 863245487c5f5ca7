-- The outbox of deliveries: every message a model's rows call for (an
-- e-mail, a webhook call, a chat message) is written here in the run that
-- builds the model, before anything is sent, keyed by what it is about, so
-- a rerun or a full refresh finds it already there and never sends it
-- again. status: pending (to send; next_attempt_at says when), sending
-- (the send began), unconfirmed (a run died while sending it: it may have
-- gone out, so it is not sent again by itself), sent, failed (attempts
-- used up), cancelled (its row left the model before it was sent).

-- +goose Up
CREATE TABLE etl_meta.outbox (
    message_id      VARCHAR PRIMARY KEY,
    model           VARCHAR NOT NULL,
    row_key         VARCHAR NOT NULL,
    channel         VARCHAR NOT NULL,
    recipient       VARCHAR NOT NULL,
    subject         VARCHAR,
    body            VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,
    attempts        INTEGER NOT NULL,
    last_error      VARCHAR,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    created_run     VARCHAR NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);

-- +goose Down
DROP TABLE etl_meta.outbox;
