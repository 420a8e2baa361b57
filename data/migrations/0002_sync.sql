-- Safeer device schema, version 2: sync with HQ.

-- The device's enrolment and where its pull stands. One row (id = 1).
--   cursor        EPOCH.SEQ of the last pulled page; written in the same
--                 transaction as that page's rows, never ahead of them.
--   cursor_schema the schema version the cursor was pulled with: after an
--                 upgrade that adds tables or fields, the device pulls again
--                 from the start so nothing HQ sent while unknown is missed.
--   error_code    what went wrong in the last run (see sync/client.Describe);
--                 error is the detail in the words of the component that failed.
CREATE TABLE sync_state (
	id             INTEGER PRIMARY KEY CHECK (id = 1),
	hq_url         TEXT NOT NULL DEFAULT '',
	token          TEXT NOT NULL DEFAULT '',
	hq_device_id   TEXT NOT NULL DEFAULT '',
	device_name    TEXT NOT NULL DEFAULT '',
	governorates   TEXT NOT NULL DEFAULT '[]',  -- JSON array of ISO 3166-2:OM codes
	endorsement    BLOB,
	hq_public_key  BLOB,
	enrolled_at    TEXT NOT NULL DEFAULT '',
	cursor         TEXT NOT NULL DEFAULT '',
	cursor_schema  INTEGER NOT NULL DEFAULT 0,
	last_sync_at   TEXT NOT NULL DEFAULT '',    -- last run that finished without error
	last_run_at    TEXT NOT NULL DEFAULT '',
	error_code     TEXT NOT NULL DEFAULT '',
	error          TEXT NOT NULL DEFAULT '',
	revoked_at     TEXT NOT NULL DEFAULT ''     -- HQ answered device_revoked: stop syncing
) STRICT;
INSERT INTO sync_state (id) VALUES (1);

-- Conflicts: the losing value of a same-field concurrent edit, made by HQ and
-- synced like other rows (fields as in sync.Tables["conflict"]). winner and
-- loser hold the field's value as JSON text, so a number stays a number and
-- a flag a flag. A device marks one resolved with a normal outbox op.
CREATE TABLE conflict (
	id          TEXT PRIMARY KEY,
	tbl         TEXT NOT NULL DEFAULT '',
	row_id      TEXT NOT NULL DEFAULT '',
	field       TEXT NOT NULL DEFAULT '',
	winner      ANY,
	winner_hlc  TEXT NOT NULL DEFAULT '',
	loser       ANY,
	loser_hlc   TEXT NOT NULL DEFAULT '',
	governorate TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL DEFAULT '',
	resolved    INTEGER NOT NULL DEFAULT 0,
	resolved_at TEXT NOT NULL DEFAULT '',
	hlc         TEXT NOT NULL DEFAULT '',
	clocks      TEXT NOT NULL DEFAULT '{}',
	rev         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX conflict_open ON conflict (resolved, created_at);
CREATE INDEX conflict_row ON conflict (tbl, row_id);

-- Ops HQ refused (out of scope, clock skew, bad value…), moved here from the
-- outbox whole, so nothing a coordinator typed vanishes without a trace.
CREATE TABLE rejected_op (
	op_id       TEXT PRIMARY KEY,
	tbl         TEXT NOT NULL,
	row_id      TEXT NOT NULL,
	base_rev    INTEGER NOT NULL DEFAULT 0,
	hlc         TEXT NOT NULL,
	fields      TEXT NOT NULL,  -- JSON object {field: value}, as the outbox held it
	code        TEXT NOT NULL DEFAULT '',
	message     TEXT NOT NULL DEFAULT '',
	rejected_at TEXT NOT NULL
) STRICT;

-- One line per sync run, for the history the UI shows.
CREATE TABLE sync_log (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	started_at  TEXT NOT NULL,
	finished_at TEXT NOT NULL DEFAULT '',
	trigger     TEXT NOT NULL DEFAULT '',  -- manual, schedule, reconnect, command
	pushed      INTEGER NOT NULL DEFAULT 0,
	applied     INTEGER NOT NULL DEFAULT 0,
	duplicate   INTEGER NOT NULL DEFAULT 0,
	conflicts   INTEGER NOT NULL DEFAULT 0,
	rejected    INTEGER NOT NULL DEFAULT 0,
	pulled      INTEGER NOT NULL DEFAULT 0,
	resynced    INTEGER NOT NULL DEFAULT 0,
	error_code  TEXT NOT NULL DEFAULT '',
	error       TEXT NOT NULL DEFAULT ''
) STRICT;

-- A pulled row asks whether an unsent op of this device touches it.
CREATE INDEX outbox_row ON outbox (tbl, row_id);

-- After HQ answered must_resync (restored from a backup or reset), the rows
-- this device held, until the full pull has shown which of them HQ still
-- has. What HQ lost is sent to it again (see data/resync.go), so an edit
-- that HQ had acknowledged before its restore is not lost either.
CREATE TABLE resync_pending (
	tbl    TEXT NOT NULL,
	row_id TEXT NOT NULL,
	PRIMARY KEY (tbl, row_id)
) STRICT, WITHOUT ROWID;
