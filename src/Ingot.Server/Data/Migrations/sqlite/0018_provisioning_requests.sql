-- Issue 13: provisioning requests and pools. "count machines of a SKU in a site for a role": the allocator picks available
-- machines, names them, installs them and replaces those that fail; a reconciler keeps each request moving.
CREATE TABLE provisioning_requests (
    id                INTEGER PRIMARY KEY,
    kind              TEXT NOT NULL DEFAULT 'request', -- or 'pool': a request that never ends; count is its desired size
    role_id           INTEGER NOT NULL REFERENCES roles (id),
    site_id           INTEGER NOT NULL REFERENCES sites (id),
    sku_id            INTEGER NOT NULL REFERENCES skus (id),
    count             INTEGER NOT NULL,
    image             TEXT NOT NULL,
    hostname_template TEXT NOT NULL,
    spread            INTEGER NOT NULL,        -- 1: no rack holds more than its share of the request
    expires_at        TEXT,
    user_name         TEXT NOT NULL,
    status            TEXT NOT NULL,
    short_reason      TEXT,                    -- why the request has fewer machines than it asked for, while it does
    replacements      INTEGER NOT NULL DEFAULT 0, -- machines lost to failed installs (or, in a pool, broken in use)
    failure_streak    INTEGER NOT NULL DEFAULT 0, -- of them, since the last good install: a pool gives up on a streak
    cancelled_by      TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX provisioning_requests_status ON provisioning_requests (status, id);
CREATE INDEX provisioning_requests_kind ON provisioning_requests (kind, id);

-- A machine a request took. While it is the request's (installing or in_use), no other request or pool may take it:
-- the unique partial index refuses the second, whichever node allocates (DESIGN.md §4.3).
CREATE TABLE request_machines (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES provisioning_requests (id) ON DELETE CASCADE,
    machine_id  INTEGER NOT NULL REFERENCES machines (id),
    hostname    TEXT NOT NULL,
    job_id      INTEGER,
    status      TEXT NOT NULL,                 -- installing, in_use, failed, releasing, released
    reason      TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX request_machines_one_owner ON request_machines (machine_id) WHERE status IN ('installing', 'in_use', 'releasing');
CREATE INDEX request_machines_request ON request_machines (request_id, id);

-- Loops that run on one node at a time (the request reconciler; pools, the BMC watch and DNS pushes later): the
-- holder renews its lease; another node takes it over once it has expired.
CREATE TABLE loop_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
