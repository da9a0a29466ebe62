-- Inventory, identity and audit. Times are ISO-8601 UTC text of fixed width, so text order is time order.
CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE racks (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites (id),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (site_id, name)
);

CREATE TABLE skus (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    cpu_cores   INTEGER NOT NULL,
    memory_gb   INTEGER NOT NULL,
    disk_count  INTEGER NOT NULL,
    disk_gb     INTEGER NOT NULL,
    nic_count   INTEGER NOT NULL,
    description TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    is_admin   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    team_id     INTEGER NOT NULL REFERENCES teams (id),
    description TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT
);

CREATE TABLE machines (
    id                 INTEGER PRIMARY KEY,
    hardware_name      TEXT NOT NULL UNIQUE,
    serial             TEXT NOT NULL UNIQUE,
    vendor             TEXT,
    model              TEXT,
    site_id            INTEGER REFERENCES sites (id),
    rack_id            INTEGER REFERENCES racks (id),
    unit               INTEGER,
    sku_id             INTEGER REFERENCES skus (id),
    hostname           TEXT UNIQUE,
    role_id            INTEGER REFERENCES roles (id),
    state              TEXT NOT NULL,
    maintenance        INTEGER NOT NULL DEFAULT 0,
    maintenance_reason TEXT,
    bmc_driver         TEXT,
    bmc_address        TEXT,
    bmc_port           INTEGER,
    bmc_username       TEXT,
    bmc_password       BLOB,
    hardware           TEXT,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

-- Each index ends in id so that a filter plus keyset paging (id > after ORDER BY id) is one range scan.
CREATE INDEX machines_site_state_sku ON machines (site_id, state, sku_id, id);
CREATE INDEX machines_state ON machines (state, id);
CREATE INDEX machines_sku ON machines (sku_id, id);
CREATE INDEX machines_rack ON machines (rack_id, id);
CREATE INDEX machines_role ON machines (role_id, id);
CREATE INDEX machines_maintenance ON machines (maintenance, id);

CREATE TABLE nics (
    id         INTEGER PRIMARY KEY,
    machine_id INTEGER NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    mac        TEXT NOT NULL UNIQUE,
    name       TEXT,
    ip         TEXT
);
CREATE INDEX nics_machine ON nics (machine_id);

CREATE TABLE machine_tags (
    machine_id INTEGER NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (machine_id, tag)
);
CREATE INDEX machine_tags_tag ON machine_tags (tag, machine_id);

CREATE TABLE state_history (
    id         INTEGER PRIMARY KEY,
    machine_id INTEGER NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    trigger    TEXT NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT,
    at         TEXT NOT NULL
);
CREATE INDEX state_history_machine ON state_history (machine_id, id);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT,
    status  INTEGER NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
