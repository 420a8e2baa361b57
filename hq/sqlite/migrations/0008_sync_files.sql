-- safeer-hq schema, version 8 (SQLite): sync files (issue 15), the
-- requests devices send by file and HQ's sealed replies to them.
-- Keep in step with hq/postgres/migrations.

-- One row per request file HQ read, keyed by its author and the id the
-- device gave it: the same file read again is recognised and answered with
-- the same reply. reply is the sealed reply (encrypted to the device), kept
-- until collected (and after: it is small next to the rows it carries).
CREATE TABLE sync_files (
	device_id    TEXT NOT NULL,
	file_id      TEXT NOT NULL,
	received_at  TEXT NOT NULL,
	via          TEXT NOT NULL,
	ops          INTEGER NOT NULL,
	summary      TEXT NOT NULL,
	reply_id     TEXT NOT NULL,
	reply        BLOB NOT NULL,
	collected_at TEXT,
	PRIMARY KEY (device_id, file_id)
) STRICT;
CREATE INDEX sync_files_received ON sync_files (received_at);
