-- Safeer device schema, version 6.
--
-- An import remembers the file it read (SHA-256 of its bytes) and who ran
-- it, so the same file pressed twice is recognised and the coordinator told
-- when and by whom it was imported before.
ALTER TABLE import_batch ADD COLUMN file_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE import_batch ADD COLUMN imported_by TEXT NOT NULL DEFAULT '';
