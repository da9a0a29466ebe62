-- Issue 11 B.4: rows are pruned by age (Hosting/Retention): expired boot tokens, the events of jobs that ended long ago,
-- old audit records. Each prune deletes in batches chosen by these columns.
CREATE INDEX boot_tokens_expires ON boot_tokens (expires_at);
CREATE INDEX job_events_at ON job_events (at);
CREATE INDEX audit_log_at ON audit_log (at);
