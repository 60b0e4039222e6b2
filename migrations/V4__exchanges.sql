-- One name for one concept: a stored request/response pair is an exchange everywhere (Core.Exchanges, reports), so its
-- table is too. Renaming keeps rows, keys, indexes and the audit foreign key.
ALTER TABLE observations RENAME TO exchanges;
