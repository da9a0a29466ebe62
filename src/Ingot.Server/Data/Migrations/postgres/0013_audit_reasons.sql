-- Issue 12: a refused request's audit record says why (the problem's detail) and with which token (its name and id),
-- so a 403 can be traced to the token that tried.
ALTER TABLE audit_log ADD COLUMN token TEXT;
ALTER TABLE audit_log ADD COLUMN reason TEXT;
