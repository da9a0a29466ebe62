-- Issue 14: events out. An event's place in the stream is (tx, id); on SQLite, with its one writer, tx is 0 and
-- the id alone orders events as they committed (PostgreSQL needs the writing transaction, see its 0022).
ALTER TABLE events ADD COLUMN tx INTEGER NOT NULL DEFAULT 0; -- one writer: ids are in commit order
ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN machine_id BIGINT;  -- what the event is about, for filters (no foreign keys: events outlive machines)
ALTER TABLE events ADD COLUMN batch_id BIGINT;
ALTER TABLE events ADD COLUMN team TEXT;          -- the team whose machine, role or request it is
ALTER TABLE events ADD COLUMN user_name TEXT;     -- who asked for the work (a batch's or job's submitter, a request's owner)
CREATE INDEX events_stream ON events (tx, id);
CREATE INDEX events_machine ON events (machine_id, id) WHERE machine_id IS NOT NULL;
CREATE INDEX events_batch ON events (batch_id, id) WHERE batch_id IS NOT NULL;
CREATE INDEX events_at ON events (at);

-- A subscription: events of some types (and filters) sent to a channel, read from the stream at its own cursor; one
-- node at a time delivers it (lease), in order, at least once.
CREATE TABLE subscriptions (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    user_id           BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE, -- its owner: they manage it
    team_id           BIGINT REFERENCES teams (id) ON DELETE CASCADE,          -- a team's: its members manage it too
    channel           TEXT NOT NULL,           -- webhook, email, chat
    target            TEXT NOT NULL,           -- a URL, or an e-mail address
    secret            BLOB,                    -- the webhook's signing key, sealed (SecretBox)
    types             TEXT NOT NULL,           -- comma-separated patterns: job.failed, batch.*, *
    only_user         TEXT,                    -- filters: events of this submitter's work
    only_team         TEXT,                    --          of this team's machines and requests
    only_batch        BIGINT,                  --          of this batch and its jobs
    only_machine      BIGINT,                  --          about this machine
    is_default        INTEGER NOT NULL DEFAULT 0,
    enabled           INTEGER NOT NULL DEFAULT 1,
    cursor_tx         BIGINT NOT NULL,
    cursor_id         BIGINT NOT NULL,
    lease_owner       TEXT,
    lease_expires     TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0, -- of the event at the cursor
    retry_at          TEXT,
    last_error        TEXT,
    delivered         BIGINT NOT NULL DEFAULT 0,
    dead              BIGINT NOT NULL DEFAULT 0,
    last_delivered_at TEXT,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX subscriptions_user ON subscriptions (user_id, id);
CREATE INDEX subscriptions_team ON subscriptions (team_id, id) WHERE team_id IS NOT NULL;

-- Each attempt to deliver an event to a subscription; outcome delivered, failed (tried again) or dead (given up: the
-- dead-letter list).
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    event_id        BIGINT NOT NULL,
    attempt         INTEGER NOT NULL,
    outcome         TEXT NOT NULL,
    status_code     INTEGER,
    error           TEXT,
    duration_ms     INTEGER NOT NULL,
    at              TEXT NOT NULL
);
CREATE INDEX deliveries_subscription ON deliveries (subscription_id, id);
CREATE INDEX deliveries_dead ON deliveries (subscription_id, id) WHERE outcome = 'dead';
CREATE INDEX deliveries_at ON deliveries (at);

-- A BMC's health as it changed (bmc_health holds the latest): the machine page's history, the triage ticket's evidence.
CREATE TABLE bmc_health_history (
    id         INTEGER PRIMARY KEY,
    machine_id BIGINT NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    error      TEXT,
    at         TEXT NOT NULL
);
CREATE INDEX bmc_health_history_machine ON bmc_health_history (machine_id, id);
