-- Issue 14: job statistics over a window (GET /api/v1/jobs/stats) read the window's jobs by their queueing time.
CREATE INDEX jobs_created ON jobs (created_at);
