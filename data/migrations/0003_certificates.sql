-- Safeer device schema, version 3: certificates of attendance.
--
-- A certificate is synced like the other rows: issued on a device, revoked
-- on any device or at HQ. snapshot is what was printed (JSON), so a later
-- name correction never changes a certificate already handed out; a reprint
-- after a correction is a new row naming the one it replaces (reissue_of).
-- payload is the signed record the QR code carries.
CREATE TABLE certificate (
	id             TEXT PRIMARY KEY,
	attendance_id  TEXT NOT NULL DEFAULT '',
	code           TEXT NOT NULL DEFAULT '',
	issued_at      TEXT NOT NULL DEFAULT '',
	device_id      TEXT NOT NULL DEFAULT '',
	snapshot       TEXT NOT NULL DEFAULT '{}',
	signature      TEXT NOT NULL DEFAULT '',  -- the signed QR record, base64url
	revoked_at     TEXT NOT NULL DEFAULT '',
	revoked_reason TEXT NOT NULL DEFAULT '',
	reissue_of     TEXT NOT NULL DEFAULT '',
	hlc            TEXT NOT NULL DEFAULT '',
	clocks         TEXT NOT NULL DEFAULT '{}',
	rev            INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX certificate_attendance ON certificate (attendance_id);
CREATE INDEX certificate_code ON certificate (code);
