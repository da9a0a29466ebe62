-- Issue 12: a user's global grant beside team membership: 'operator' (every machine's hardware and lifecycle actions,
-- the inventory) or 'viewer' (reads everything, acts on nothing); NULL for a team member, whose rights come from the
-- teams that own roles. Admins keep is_admin. docs/authorization.md is the table.
ALTER TABLE users ADD COLUMN grant_level TEXT;
