-- Failed sign-ins per user and per source (SelfService/SignInThrottle): after a few, each further attempt waits a
-- little longer, up to a few minutes, on every node alike; a success clears the user's count.
CREATE TABLE sign_in_failures (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    last_at       TEXT NOT NULL,
    blocked_until TEXT
);
