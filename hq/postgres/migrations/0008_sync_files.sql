-- safeer-hq schema, version 8 (PostgreSQL): sync files (issue 15), the
-- requests devices send by file and HQ's sealed replies to them.
-- Keep in step with hq/sqlite/migrations.

-- One row per request file HQ read, keyed by its author and the id the
-- device gave it: the same file read again is recognised and answered with
-- the same reply. reply is the sealed reply (encrypted to the device).
CREATE TABLE sync_files (
	device_id    text NOT NULL,
	file_id      text NOT NULL,
	received_at  timestamptz NOT NULL,
	via          text NOT NULL,
	ops          integer NOT NULL,
	summary      text NOT NULL,
	reply_id     text NOT NULL,
	reply        bytea NOT NULL,
	collected_at timestamptz,
	PRIMARY KEY (device_id, file_id)
);
CREATE INDEX sync_files_received ON sync_files (received_at);
