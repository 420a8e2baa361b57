-- safeer-hq schema, version 1 (PostgreSQL). Keep in step with
-- hq/sqlite/migrations: both backends pass the same suite.

-- One row: the database's epoch (random, new for every new or reset
-- database), the change sequence counter and HQ's saved clock. Writers
-- lock this row first and keep it locked to commit, which is what makes
-- sequence numbers commit in order (see Write).
CREATE TABLE meta (
	id         integer PRIMARY KEY CHECK (id = 1),
	epoch      text NOT NULL,
	seq        bigint NOT NULL DEFAULT 0,
	hlc        text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL
);

-- Every synced row of every table, generically: data is JSON
-- {field: {"v": value, "h": stamp, "r": seq that set it}}, kept as text so
-- it comes back byte for byte.
CREATE TABLE rows (
	tbl     text NOT NULL,
	id      text NOT NULL,
	scope   text NOT NULL,
	parent  text NOT NULL DEFAULT '',
	seq     bigint NOT NULL,
	pending boolean NOT NULL DEFAULT false,
	data    text NOT NULL,
	PRIMARY KEY (tbl, id)
);
CREATE UNIQUE INDEX rows_seq ON rows (seq);
CREATE INDEX rows_parent ON rows (parent) WHERE parent <> '';
CREATE INDEX rows_pending ON rows (scope) WHERE pending;

CREATE TABLE applied_ops (
	op_id        text PRIMARY KEY,
	payload_hash bytea NOT NULL,
	device_id    text NOT NULL,
	applied_at   timestamptz NOT NULL
);

CREATE TABLE devices (
	id           text PRIMARY KEY,
	name         text NOT NULL,
	token_hash   bytea NOT NULL UNIQUE,
	governorates text[] NOT NULL,
	public_key   bytea NOT NULL,
	endorsement  bytea NOT NULL,
	enrolled_at  timestamptz NOT NULL,
	revoked_at   timestamptz,
	last_seen    timestamptz,
	last_push    timestamptz,
	last_pull    timestamptz
);

CREATE TABLE enrolments (
	code_hash    bytea PRIMARY KEY,
	governorates text[] NOT NULL,
	name         text NOT NULL,
	created_at   timestamptz NOT NULL,
	expires_at   timestamptz NOT NULL,
	used_at      timestamptz,
	device_id    text
);
