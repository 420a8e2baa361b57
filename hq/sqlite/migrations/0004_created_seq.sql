-- safeer-hq schema, version 4 (SQLite). Keep in step with
-- hq/postgres/migrations.

-- The sequence number a row was created under, which later writes never
-- change (seq is the latest write's). The verification page shows the
-- first-created certificate of a code, so a later row with the same code
-- can never shadow the original, whatever was written to either since.
-- Existing rows get the oldest write recorded in their fields (each field
-- keeps the seq that set it, "r"), the best HQ knows of their creation.
ALTER TABLE rows ADD COLUMN created_seq INTEGER NOT NULL DEFAULT 0;
UPDATE rows SET created_seq = coalesce(
	(SELECT min(json_extract(f.value, '$.r')) FROM json_each(rows.data) AS f
		WHERE json_type(f.value, '$.r') = 'integer' AND json_extract(f.value, '$.r') > 0),
	seq);
