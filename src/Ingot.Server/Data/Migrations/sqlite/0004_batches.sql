-- Batches: one action over many machines, never overlapping another active batch.
CREATE TABLE batches (
    id              INTEGER PRIMARY KEY,
    action          TEXT NOT NULL,
    params          TEXT NOT NULL,
    user_name       TEXT NOT NULL,
    force           INTEGER NOT NULL DEFAULT 0,
    host_count      INTEGER NOT NULL,
    idempotency_key TEXT,
    request_hash    TEXT NOT NULL,          -- SHA-256 of the submitted body: the same key with another body is refused
    cancelled_by    TEXT,
    created_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX batches_idempotency ON batches (user_name, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX batches_user ON batches (user_name, id);

-- A machine in an active batch: the primary key is what makes two batches over one machine impossible, whichever
-- node accepts them. Released when the machine's job in the batch ends.
CREATE TABLE batch_claims (
    machine_id INTEGER PRIMARY KEY REFERENCES machines (id) ON DELETE CASCADE,
    batch_id   INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE
);
CREATE INDEX batch_claims_batch ON batch_claims (batch_id);
