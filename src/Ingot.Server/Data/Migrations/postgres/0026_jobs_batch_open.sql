-- A batch's jobs not ended yet, by batch: whoever ends one of a batch's jobs asks whether any is left (JobEvents.
-- CompleteBatchAsync), and without this that question read every job of the batch — each ending of a 10,000-job batch
-- read 10,000 rows, so a batch's endings cost the square of its size.
CREATE INDEX jobs_batch_open ON jobs (batch_id) WHERE status IN ('queued', 'running');
