-- safeer-hq schema, version 3 (SQLite). Keep in step with
-- hq/postgres/migrations.

-- An op id is unique per device only: HQ's idempotency record is keyed on
-- (device, op id), so one device can never take another's (predictable)
-- op ids and have that device's ops refused as duplicates or reused ids.
-- SQLite cannot change a primary key in place: copy the rows, which
-- already carry the device that applied them.
CREATE TABLE applied_ops_v3 (
	device_id    TEXT NOT NULL,
	op_id        TEXT NOT NULL,
	payload_hash BLOB NOT NULL,
	applied_at   TEXT NOT NULL,
	PRIMARY KEY (device_id, op_id)
) STRICT;
INSERT INTO applied_ops_v3 (device_id, op_id, payload_hash, applied_at)
	SELECT device_id, op_id, payload_hash, applied_at FROM applied_ops;
DROP TABLE applied_ops;
ALTER TABLE applied_ops_v3 RENAME TO applied_ops;
