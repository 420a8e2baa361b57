-- safeer-hq schema, version 5 (SQLite). Keep in step with
-- hq/postgres/migrations.

-- Enrolment challenges: a device signs a nonce HQ gave it, to prove it
-- holds the key it enrols. Kept in the database, not in memory, so two HQ
-- processes on one database accept each other's; only the SHA-256 of the
-- nonce is kept. Each is deleted when used, and once expired.
CREATE TABLE enrol_nonces (
	nonce_hash BLOB PRIMARY KEY,
	code_hash  BLOB NOT NULL, -- the enrolment code it was asked for
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX enrol_nonces_code ON enrol_nonces (code_hash);
CREATE INDEX enrol_nonces_expires ON enrol_nonces (expires_at);
