-- xAPI statements for a learning record store (training/xapi.py), kept only when one is
-- configured. A statement enters the outbox in the same statement (so the same transaction) as
-- its record; a row in xapi_sent says the LRS holds it. Both are append-only like the records:
-- the app's role may only insert and select, so "sent" is a new row, never an edited one.
CREATE TABLE xapi_outbox (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- uuid5 of the record id: the same statement, the same id, however often it is sent.
    statement_id uuid NOT NULL UNIQUE,
    record_id text NOT NULL CHECK (record_id <> ''),
    statement jsonb NOT NULL CHECK (jsonb_typeof(statement) = 'object'),
    queued_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE xapi_sent (
    statement_id uuid PRIMARY KEY REFERENCES xapi_outbox (statement_id),
    sent_at timestamptz NOT NULL DEFAULT now()
);
