-- Safeer device schema, version 1.
--
-- Synced tables carry no foreign keys: sync delivers rows in any order (an
-- attendance can arrive before its person), and nothing is ever hard-deleted
-- (deleted is a synced tombstone). Every synced row has:
--   hlc     the clock stamp of the write that created it; fields not named in
--           clocks were last set at that stamp;
--   clocks  JSON {field: stamp} for fields changed since, for the per-field merge;
--   rev     HQ's revision of the row when this device last pulled it (the
--           base revision of the next local edit).

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE place (
	id             TEXT PRIMARY KEY,
	governorate    TEXT NOT NULL,  -- ISO 3166-2:OM code
	governorate_en TEXT NOT NULL,
	governorate_ar TEXT NOT NULL,
	wilayat_en     TEXT NOT NULL,
	wilayat_ar     TEXT NOT NULL,
	deleted        INTEGER NOT NULL DEFAULT 0,
	hlc            TEXT NOT NULL DEFAULT '',
	clocks         TEXT NOT NULL DEFAULT '{}',
	rev            INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX place_wilayat ON place (governorate, wilayat_en);

CREATE TABLE import_batch (
	id          TEXT PRIMARY KEY,
	source      TEXT NOT NULL,
	imported_at TEXT NOT NULL,
	rows        INTEGER NOT NULL,
	imported    INTEGER NOT NULL,
	undone_at   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE person (
	id           TEXT PRIMARY KEY,
	kind         TEXT NOT NULL DEFAULT 'ambassador',
	name_ar      TEXT NOT NULL DEFAULT '',
	name_en      TEXT NOT NULL DEFAULT '',
	gender       TEXT NOT NULL DEFAULT '',
	civil_id     TEXT NOT NULL DEFAULT '',
	phone        TEXT NOT NULL DEFAULT '',
	email        TEXT NOT NULL DEFAULT '',
	governorate  TEXT NOT NULL DEFAULT '',
	wilayat      TEXT NOT NULL DEFAULT '',
	organisation TEXT NOT NULL DEFAULT '',
	expertise    TEXT NOT NULL DEFAULT '',
	joined_on    TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL DEFAULT 'active',
	notes        TEXT NOT NULL DEFAULT '',
	deleted      INTEGER NOT NULL DEFAULT 0,
	merged_into  TEXT NOT NULL DEFAULT '',
	import_batch TEXT NOT NULL DEFAULT '',  -- local: which import made the row (for undo)
	hlc          TEXT NOT NULL DEFAULT '',
	clocks       TEXT NOT NULL DEFAULT '{}',
	rev          INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX person_import_batch ON person (import_batch) WHERE import_batch != '';
CREATE INDEX person_merged_into ON person (merged_into) WHERE merged_into != '';

CREATE TABLE workshop (
	id          TEXT PRIMARY KEY,
	title_ar    TEXT NOT NULL DEFAULT '',
	title_en    TEXT NOT NULL DEFAULT '',
	topic       TEXT NOT NULL DEFAULT '',
	date        TEXT NOT NULL DEFAULT '',
	start_time  TEXT NOT NULL DEFAULT '',
	hours       REAL NOT NULL DEFAULT 0,
	governorate TEXT NOT NULL DEFAULT '',
	wilayat     TEXT NOT NULL DEFAULT '',
	venue       TEXT NOT NULL DEFAULT '',
	facilitator TEXT NOT NULL DEFAULT '',
	capacity    INTEGER NOT NULL DEFAULT 0,
	status      TEXT NOT NULL DEFAULT 'planned',
	min_hours   REAL NOT NULL DEFAULT 0,
	deleted     INTEGER NOT NULL DEFAULT 0,
	hlc         TEXT NOT NULL DEFAULT '',
	clocks      TEXT NOT NULL DEFAULT '{}',
	rev         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX workshop_date ON workshop (date);

-- One live row per (workshop, person): the id is a name-based UUID of the
-- pair, so two devices checking the same person in offline make one row.
CREATE TABLE attendance (
	id            TEXT PRIMARY KEY,
	workshop_id   TEXT NOT NULL DEFAULT '',
	person_id     TEXT NOT NULL DEFAULT '',
	checked_in_at TEXT NOT NULL DEFAULT '',
	hours         REAL NOT NULL DEFAULT 0,
	status        TEXT NOT NULL DEFAULT 'present',
	deleted       INTEGER NOT NULL DEFAULT 0,
	hlc           TEXT NOT NULL DEFAULT '',
	clocks        TEXT NOT NULL DEFAULT '{}',
	rev           INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX attendance_workshop ON attendance (workshop_id);
CREATE INDEX attendance_person ON attendance (person_id);

-- The outbox: every local write appends its op here in the same transaction.
-- Sync ships rows in seq order and deletes them once HQ has answered for them.
CREATE TABLE outbox (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	op_id      TEXT NOT NULL UNIQUE,
	tbl        TEXT NOT NULL,
	row_id     TEXT NOT NULL,
	base_rev   INTEGER NOT NULL DEFAULT 0,
	hlc        TEXT NOT NULL,
	fields     TEXT NOT NULL  -- JSON object {field: value}; every field was set at hlc
) STRICT;
