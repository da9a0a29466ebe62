-- Issue 14: triage tickets. One open ticket per machine (an incident); a failure while it is open adds to it.
CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    machine_id      BIGINT NOT NULL,          -- no foreign key: a ticket outlives its machine's deletion
    machine         TEXT NOT NULL,            -- its name when the ticket opened
    site            TEXT,
    team            TEXT,                     -- routed to: the team that fixes this site's hardware (INGOT_TICKETS_ROUTES)
    status          TEXT NOT NULL,            -- open, acknowledged, resolved
    title           TEXT NOT NULL,
    source          TEXT NOT NULL,            -- job (a user-initiated job failed for good) or precheck (a batch left the host out)
    job_id          BIGINT,
    batch_id        BIGINT,
    watchers        TEXT NOT NULL,            -- comma-separated user names: who submitted the work
    occurrences     INTEGER NOT NULL DEFAULT 1,
    evidence        TEXT NOT NULL,            -- JSON: the job, its installer events, the BMC's health history, the machine, its history
    opened_at       TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    acknowledged_by TEXT,
    resolved_by     TEXT,
    resolved_at     TEXT
);
CREATE UNIQUE INDEX tickets_one_open_per_machine ON tickets (machine_id) WHERE status <> 'resolved';
CREATE INDEX tickets_status ON tickets (status, id);
CREATE INDEX tickets_team ON tickets (team, id);

CREATE TABLE ticket_comments (
    id        INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_name TEXT NOT NULL,
    body      TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id, id);

-- Where a consumer of the event log (the ticket opener) has read up to, written with what it did.
CREATE TABLE event_cursors (
    name TEXT PRIMARY KEY,
    tx   BIGINT NOT NULL,
    id   BIGINT NOT NULL
);
