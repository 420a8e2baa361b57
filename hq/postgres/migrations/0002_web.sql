-- safeer-hq schema, version 2 (PostgreSQL): what HQ's web pages need
-- (hq/web). Keep in step with hq/sqlite/migrations.

-- The verification page finds a certificate by its code, a field of the
-- row's JSON (kept as text): an expression index on certificate rows only.
CREATE INDEX rows_certificate_code ON rows ((((data::jsonb) -> 'code') ->> 'v')) WHERE tbl = 'certificate';

-- Accounts of the web console. password_hash is a PHC string (argon2id).
CREATE TABLE admins (
	name          text PRIMARY KEY,
	password_hash text NOT NULL,
	created_at    timestamptz NOT NULL,
	disabled_at   timestamptz
);

-- Signed-in sessions; id_hash is the SHA-256 of the cookie's value.
CREATE TABLE sessions (
	id_hash    bytea PRIMARY KEY,
	admin      text NOT NULL REFERENCES admins (name),
	csrf       text NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Every administrator action, kept for good.
CREATE TABLE audit (
	id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at     timestamptz NOT NULL,
	admin  text NOT NULL,
	action text NOT NULL,
	target text NOT NULL DEFAULT '',
	detail text NOT NULL DEFAULT '',
	remote text NOT NULL DEFAULT ''
);
