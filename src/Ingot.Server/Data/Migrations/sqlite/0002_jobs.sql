-- The job broker: durable jobs made of steps, and the per-BMC circuit breaker.
CREATE TABLE jobs (
    id                  INTEGER PRIMARY KEY,
    action              TEXT NOT NULL,
    machine_id          INTEGER NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    site_id             INTEGER,            -- the machine's site at submission: the per-site limit counts by it
    params              TEXT NOT NULL,      -- JSON object
    requester           TEXT NOT NULL,      -- 'api', 'batch:ID', 'system'
    user_name           TEXT NOT NULL,
    batch_id            INTEGER,
    status              TEXT NOT NULL,      -- queued, running, succeeded, failed, cancelled
    result              TEXT,               -- JSON object
    error               TEXT,
    attempt             INTEGER NOT NULL DEFAULT 0,
    max_attempts        INTEGER NOT NULL,
    run_after           TEXT NOT NULL,
    fair_rank           INTEGER NOT NULL,   -- claim order: per-user virtual time (JobSubmission.RankAsync)
    lease_owner         TEXT,
    lease_expires       TEXT,
    cancel_requested_by TEXT,
    cancelled_by        TEXT,
    created_at          TEXT NOT NULL,
    started_at          TEXT,
    ended_at            TEXT
);
CREATE INDEX jobs_queue ON jobs (status, fair_rank, id);
-- At most one running job per machine, whatever number of workers and nodes race for it.
CREATE UNIQUE INDEX jobs_one_running_per_machine ON jobs (machine_id) WHERE status = 'running';
CREATE INDEX jobs_running_site ON jobs (site_id) WHERE status = 'running';
CREATE INDEX jobs_machine ON jobs (machine_id, id);
CREATE INDEX jobs_user ON jobs (user_name, status, fair_rank);
CREATE INDEX jobs_batch ON jobs (batch_id, id);
CREATE INDEX jobs_status ON jobs (status, id);

CREATE TABLE job_steps (
    job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,               -- pending, running, succeeded, failed, cancelled
    attempt    INTEGER NOT NULL DEFAULT 0,
    started_at TEXT,
    ended_at   TEXT,
    message    TEXT,
    PRIMARY KEY (job_id, position)
);

CREATE TABLE bmc_health (
    machine_id  INTEGER PRIMARY KEY REFERENCES machines (id) ON DELETE CASCADE,
    status      TEXT NOT NULL,              -- ok, degraded, unreachable
    failures    INTEGER NOT NULL,           -- consecutive transient failures
    last_error  TEXT,
    since       TEXT NOT NULL,
    retry_after TEXT                        -- the circuit is open until then
);
