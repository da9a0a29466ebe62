-- Issue 14: job statistics over a window (GET /api/v1/jobs/stats) read the window's jobs by their queueing time, and
-- each job's durations as written when they became known (at its first start, at its end), so a million rows are
-- grouped without date arithmetic on each. Jobs that ended before this migration have none: they are computed.
CREATE INDEX jobs_created ON jobs (created_at);
ALTER TABLE jobs ADD COLUMN lag_seconds DOUBLE PRECISION;  -- queued → first started
ALTER TABLE jobs ADD COLUMN run_seconds DOUBLE PRECISION;  -- first started → ended
