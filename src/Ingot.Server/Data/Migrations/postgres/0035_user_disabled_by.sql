-- Who disabled a user: 'directory' (the directory sync, undone when the directory has them again) or the admin who
-- did (POST /api/v1/users/{name}/disable; undone only by an admin's enable, never by a sign-in).
ALTER TABLE users ADD COLUMN disabled_by TEXT;
