-- Issue 11 A.4: a job submission may carry an Idempotency-Key; the same user, key and request return the first job.
ALTER TABLE jobs ADD COLUMN idempotency_key TEXT;
ALTER TABLE jobs ADD COLUMN request_hash TEXT;  -- SHA-256 of the machine and the body: the same key with another request is refused
CREATE UNIQUE INDEX jobs_idempotency ON jobs (user_name, idempotency_key) WHERE idempotency_key IS NOT NULL;
