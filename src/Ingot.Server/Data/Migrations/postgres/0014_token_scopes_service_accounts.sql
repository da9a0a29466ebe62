-- Issue 12: a token's scope. NULL: the full rights of its user; 'read': GET and HEAD only; otherwise a comma-separated
-- list of job actions ('power_cycle,reboot') that it may submit, beside reads. docs/authorization.md is the table.
ALTER TABLE api_tokens ADD COLUMN scope TEXT;
-- Issue 12: a service account is a robot user owned by a team: a member of that team and of no other, whose tokens act
-- with the team's rights. Deleting the team deletes its service accounts with it.
ALTER TABLE users ADD COLUMN service_team_id BIGINT REFERENCES teams (id) ON DELETE CASCADE;
