-- The portal's Data Protection key ring (Data/DataProtectionKeys), shared by every node so that a session cookie or a
-- form's antiforgery token made by one node is accepted by the next; each key's XML sealed with the server's secret key.
-- The row named 'bootstrap' only marks which node makes the first key.
CREATE TABLE portal_keys (
    name   TEXT PRIMARY KEY,
    sealed BYTEA NOT NULL
);
