-- Safeer device schema, version 12: Open Badges credentials (issue 16).
--
-- HQ issues an Open Badges 3.0 credential for every certificate it holds
-- and the devices of the certificate's governorate pull it, so they can
-- hand it out offline (safeer certificates export --open-badges). The rows
-- are HQ's: a device never writes one. id is the certificate's id; jwt the
-- signed credential; revoked_at is set once the certificate is revoked.
CREATE TABLE credential (
	id             TEXT PRIMARY KEY,
	certificate_id TEXT NOT NULL DEFAULT '',
	code           TEXT NOT NULL DEFAULT '',
	jwt            TEXT NOT NULL DEFAULT '',
	revoked_at     TEXT NOT NULL DEFAULT '',
	hlc            TEXT NOT NULL DEFAULT '',
	clocks         TEXT NOT NULL DEFAULT '{}',
	rev            INTEGER NOT NULL DEFAULT 0
) STRICT;
