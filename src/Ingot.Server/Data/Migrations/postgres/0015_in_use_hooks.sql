-- Issue 12: the "in use elsewhere" hook of a role or a site: an HTTP endpoint asked before a destructive action
-- (reimage, wipe_disks, recycle, decommission) on its machines, which may name hosts another system still uses.
-- NULL: no hook. fail_open: a hook that does not answer lets the action through instead of refusing it.
-- docs/authorization.md ("In use elsewhere") says what is sent and expected.
ALTER TABLE roles ADD COLUMN in_use_hook TEXT;
ALTER TABLE roles ADD COLUMN in_use_hook_fail_open BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sites ADD COLUMN in_use_hook TEXT;
ALTER TABLE sites ADD COLUMN in_use_hook_fail_open BOOLEAN NOT NULL DEFAULT FALSE;
