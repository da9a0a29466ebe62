-- Network boot: the images catalog, one-time boot tokens, and the events installers post back.
CREATE TABLE images (
    id                      INTEGER PRIMARY KEY,
    name                    TEXT NOT NULL UNIQUE,
    kind                    TEXT NOT NULL,          -- install, wipe, discovery
    os                      TEXT,
    kernel_url              TEXT NOT NULL,
    initrd_url              TEXT NOT NULL,
    cmdline                 TEXT NOT NULL,          -- template; Ingot appends its ingot.* parameters
    kernel_sha256           TEXT,
    initrd_sha256           TEXT,
    deadline_seconds        INTEGER NOT NULL,       -- how long the image may take from boot to 'finished'
    created_at              TEXT NOT NULL
);

CREATE TABLE boot_tokens (
    token_hash  TEXT PRIMARY KEY,                   -- SHA-256 of the token; the token itself is only in the script
    kind        TEXT NOT NULL,                      -- install, wipe, discover
    job_id      INTEGER REFERENCES jobs (id) ON DELETE CASCADE,
    attempt     INTEGER,
    machine_id  INTEGER REFERENCES machines (id) ON DELETE CASCADE,
    mac         TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,                               -- set by the first terminal event: finished or failed
    created_at  TEXT NOT NULL
);
CREATE INDEX boot_tokens_job ON boot_tokens (job_id);

CREATE TABLE job_events (
    id         INTEGER PRIMARY KEY,
    job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt    INTEGER NOT NULL,
    event      TEXT NOT NULL,                       -- started, progress, finished, failed
    step       TEXT,
    percent    INTEGER,
    message    TEXT,
    log        TEXT,
    at         TEXT NOT NULL
);
CREATE INDEX job_events_job ON job_events (job_id, id);

ALTER TABLE machines ADD COLUMN image TEXT;
ALTER TABLE machines ADD COLUMN installed_at TEXT;
