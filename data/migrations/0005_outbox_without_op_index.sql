-- Safeer device schema, version 5.
--
-- The outbox loses its unique index on op_id. Op ids are UUIDv7 that this
-- device makes (unique by construction); the index only served the
-- acknowledgement of pushed ops, which now finds an op by its seq (the
-- rowid) and checks its op_id there. An import of 100,000 people wrote
-- 100,000 entries into that index for nothing.
--
-- SQLite cannot drop a column constraint, so the table is rebuilt with
-- every op kept as it was, seq included, and its AUTOINCREMENT counter
-- carried over so no seq is ever handed out twice.
CREATE TABLE outbox_new (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	op_id      TEXT NOT NULL,
	tbl        TEXT NOT NULL,
	row_id     TEXT NOT NULL,
	base_rev   INTEGER NOT NULL DEFAULT 0,
	hlc        TEXT NOT NULL,
	fields     TEXT NOT NULL  -- JSON object {field: value}; every field was set at hlc
) STRICT;
INSERT INTO outbox_new (seq, op_id, tbl, row_id, base_rev, hlc, fields)
	SELECT seq, op_id, tbl, row_id, base_rev, hlc, fields FROM outbox ORDER BY seq;
DELETE FROM sqlite_sequence WHERE name = 'outbox_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_new', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
-- A pulled row asks whether an unsent op of this device touches it.
CREATE INDEX outbox_row ON outbox (tbl, row_id);
