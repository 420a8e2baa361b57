-- safeer-hq schema, version 5 (PostgreSQL). Keep in step with
-- hq/sqlite/migrations.

-- Enrolment challenges: a device signs a nonce HQ gave it, to prove it
-- holds the key it enrols. Kept in the database, not in memory, so two HQ
-- processes on one database accept each other's; only the SHA-256 of the
-- nonce is kept. Each is deleted when used, and once expired.
CREATE TABLE enrol_nonces (
	nonce_hash bytea PRIMARY KEY,
	code_hash  bytea NOT NULL, -- the enrolment code it was asked for
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX enrol_nonces_code ON enrol_nonces (code_hash);
CREATE INDEX enrol_nonces_expires ON enrol_nonces (expires_at);
