-- Issue 12: an operator may be limited to sites: a JSON array of site names, NULL for an operator of every site.
ALTER TABLE users ADD COLUMN operator_sites TEXT;
