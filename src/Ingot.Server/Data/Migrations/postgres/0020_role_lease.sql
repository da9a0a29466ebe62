-- Issue 13: a default lease per role: a request for the role's machines that names no expires_at gets one this many hours
-- after it is made (NULL: its machines do not expire).
ALTER TABLE roles ADD COLUMN lease_hours INTEGER;
