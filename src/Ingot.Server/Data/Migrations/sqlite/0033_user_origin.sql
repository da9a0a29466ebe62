-- Where a user and a token come from (issue 16): 'local' users are made by an admin; 'ldap' ones by a directory
-- sign-in, their teams and grant kept by the directory sync. A token's origin says how it was issued: 'api' (POST
-- /api/v1/tokens) or the sign-in that made it. A disabled user has no tokens and cannot sign in.
ALTER TABLE users ADD COLUMN origin TEXT NOT NULL DEFAULT 'local';
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE api_tokens ADD COLUMN origin TEXT NOT NULL DEFAULT 'api';
