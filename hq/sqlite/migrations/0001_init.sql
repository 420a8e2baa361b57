-- safeer-hq schema, version 1 (SQLite). Keep in step with
-- hq/postgres/migrations: both backends pass the same suite.

-- One row: the database's epoch (random, new for every new or reset
-- database), the change sequence counter and HQ's saved clock.
CREATE TABLE meta (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	epoch      TEXT NOT NULL,
	seq        INTEGER NOT NULL DEFAULT 0,
	hlc        TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
) STRICT;

-- Every synced row of every table, generically: data is JSON
-- {field: {"v": value, "h": stamp, "r": seq that set it}}. scope is the
-- governorate whose devices pull the row; parent the row it inherits its
-- scope from; seq its place in the change sequence (and its revision).
CREATE TABLE rows (
	tbl     TEXT NOT NULL,
	id      TEXT NOT NULL,
	scope   TEXT NOT NULL,
	parent  TEXT NOT NULL DEFAULT '',
	seq     INTEGER NOT NULL,
	pending INTEGER NOT NULL DEFAULT 0,
	data    TEXT NOT NULL,
	PRIMARY KEY (tbl, id)
) STRICT;
CREATE UNIQUE INDEX rows_seq ON rows (seq);
CREATE INDEX rows_parent ON rows (parent) WHERE parent != '';
CREATE INDEX rows_pending ON rows (scope) WHERE pending != 0;

CREATE TABLE applied_ops (
	op_id        TEXT PRIMARY KEY,
	payload_hash BLOB NOT NULL,
	device_id    TEXT NOT NULL,
	applied_at   TEXT NOT NULL
) STRICT;

CREATE TABLE devices (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	token_hash   BLOB NOT NULL UNIQUE,
	governorates TEXT NOT NULL, -- JSON array of codes
	public_key   BLOB NOT NULL,
	endorsement  BLOB NOT NULL,
	enrolled_at  TEXT NOT NULL,
	revoked_at   TEXT,
	last_seen    TEXT,
	last_push    TEXT,
	last_pull    TEXT
) STRICT;

CREATE TABLE enrolments (
	code_hash    BLOB PRIMARY KEY,
	governorates TEXT NOT NULL, -- JSON array of codes
	name         TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	expires_at   TEXT NOT NULL,
	used_at      TEXT,
	device_id    TEXT
) STRICT;
