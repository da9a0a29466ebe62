-- A machine's claim by an active batch is its batch job while that job has not ended: a unique partial index on the
-- jobs table, instead of a claims table written beside the jobs and released when they end. The database still
-- refuses a second batch over a machine whichever node accepts it (DESIGN.md §4.3), and a job's end frees its
-- machine by itself — no release to forget on any path that ends a job. It also halves a batch's row writes.
DROP TABLE batch_claims;
CREATE UNIQUE INDEX jobs_one_active_batch_per_machine ON jobs (machine_id)
    WHERE batch_id IS NOT NULL AND status IN ('queued', 'running');
