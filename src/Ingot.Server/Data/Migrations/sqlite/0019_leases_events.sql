-- Issue 13: leases. A request may expire: a reminder is an event before it does, and at expiry its machines are given
-- back (INGOT_REQUESTS_RECYCLE_ON_EXPIRY). Each moment is noted once, so a pass repeated writes no second event.
ALTER TABLE provisioning_requests ADD COLUMN lease_reminded_at TEXT;
ALTER TABLE provisioning_requests ADD COLUMN lease_expired_at TEXT;

-- Events: what happened, written in the transaction of the change (an outbox). Issue 14 delivers them; issue 13 writes
-- the lease reminders and expiries now.
CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    type    TEXT NOT NULL,        -- e.g. request.lease_expiring
    subject TEXT NOT NULL,        -- what it is about, e.g. request:7
    data    TEXT NOT NULL,        -- JSON
    at      TEXT NOT NULL
);
CREATE INDEX events_type ON events (type, id);
CREATE INDEX events_subject ON events (subject, id);
