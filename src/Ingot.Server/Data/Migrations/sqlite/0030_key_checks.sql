-- A known text sealed with the first node's secret key (SecretBox.CheckAgainstAsync): a node started with another key
-- is refused, rather than sealing secrets the other nodes cannot open.
CREATE TABLE key_checks (
    name   TEXT PRIMARY KEY,
    sealed BLOB NOT NULL
);
