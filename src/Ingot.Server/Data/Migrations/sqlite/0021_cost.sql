-- Issue 13: cost. A price per SKU and hour (NULL: not priced), and, on every state change, whose the machine was after
-- it (role and team by name, so a deleted or moved role leaves its past hours where they were spent).
ALTER TABLE skus ADD COLUMN hourly_price REAL;
ALTER TABLE state_history ADD COLUMN role TEXT;
ALTER TABLE state_history ADD COLUMN team TEXT;

-- Rows from before this migration: the held machines' current owner is the best knowledge of who held them.
UPDATE state_history SET
    role = (SELECT r.name FROM machines m JOIN roles r ON r.id = m.role_id WHERE m.id = state_history.machine_id),
    team = (SELECT t.name FROM machines m JOIN roles r ON r.id = m.role_id JOIN teams t ON t.id = r.team_id WHERE m.id = state_history.machine_id)
WHERE to_state IN ('allocated', 'installing', 'in_use');
