-- Issue 11 A.5: the hosts a precheck "exclude" left out of a batch, with their reasons: a JSON array of
-- {"host", "reason"}, NULL when none were. Kept on the batch so the 201 and every later GET say the same.
ALTER TABLE batches ADD COLUMN excluded TEXT;
