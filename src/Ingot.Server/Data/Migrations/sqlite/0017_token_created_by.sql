-- Issue 12: who made a token. A team's members make its service accounts' tokens; when one of them leaves the team,
-- the tokens they made are revoked with the membership (TeamEndpoints). NULL for tokens made before this.
ALTER TABLE api_tokens ADD COLUMN created_by BIGINT;
