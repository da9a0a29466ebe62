-- Issue 11 B.1: a job attempt hands out one boot token, to the first boot script fetched once the attempt has powered
-- the machine on; later fetches of the same attempt boot the disk (docs/boot.md). Earlier versions minted a token on every
-- fetch: of those, the first of each attempt is kept (the likeliest to be the machine's own boot), the rest can no longer
-- report anything.
DELETE FROM boot_tokens
WHERE job_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM boot_tokens first
    WHERE first.job_id = boot_tokens.job_id AND first.attempt = boot_tokens.attempt
      AND (first.created_at < boot_tokens.created_at
           OR (first.created_at = boot_tokens.created_at AND first.token_hash < boot_tokens.token_hash)));
CREATE UNIQUE INDEX boot_tokens_one_per_attempt ON boot_tokens (job_id, attempt) WHERE job_id IS NOT NULL;
