-- safeer-hq schema, version 2 (SQLite): what HQ's web pages need (hq/web).
-- Keep in step with hq/postgres/migrations.

-- The verification page finds a certificate by its code, a field of the
-- row's JSON: an expression index on certificate rows only.
CREATE INDEX rows_certificate_code ON rows (json_extract(data, '$.code.v')) WHERE tbl = 'certificate';

-- Accounts of the web console. password_hash is a PHC string (argon2id).
CREATE TABLE admins (
	name          TEXT PRIMARY KEY,
	password_hash TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	disabled_at   TEXT
) STRICT;

-- Signed-in sessions; id_hash is the SHA-256 of the cookie's value.
CREATE TABLE sessions (
	id_hash    BLOB PRIMARY KEY,
	admin      TEXT NOT NULL REFERENCES admins (name),
	csrf       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Every administrator action, kept for good.
CREATE TABLE audit (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	at     TEXT NOT NULL,
	admin  TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	remote TEXT NOT NULL DEFAULT ''
) STRICT;
