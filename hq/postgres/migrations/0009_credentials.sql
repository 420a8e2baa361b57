-- safeer-hq schema, version 10 (PostgreSQL): Open Badges 3.0 credentials
-- (issue 16, hq/credentials.go). Keep in step with hq/sqlite/migrations.

-- One credential per certificate, issued once when HQ first holds the
-- certificate and kept for good: a reprint keeps it, a reissue is another
-- certificate and so another credential. jwt is the signed credential as
-- handed out; status_index its bit in the revocation list (random, unique);
-- revoked_at is set while the certificate is revoked, which sets the bit.
-- person_id and scope (the certificate's governorate) are as HQ knew them
-- when it issued the credential.
CREATE TABLE credentials (
	certificate_id text PRIMARY KEY,
	code           text NOT NULL,
	person_id      text NOT NULL,
	scope          text NOT NULL,
	status_index   integer NOT NULL UNIQUE,
	jwt            text NOT NULL,
	issued_at      timestamptz NOT NULL,
	revoked_at     timestamptz
);
CREATE INDEX credentials_person ON credentials (person_id);
CREATE INDEX credentials_revoked ON credentials (status_index) WHERE revoked_at IS NOT NULL;

-- How far in the change sequence HQ has issued credentials (one row).
CREATE TABLE credential_cursor (
	id  integer PRIMARY KEY CHECK (id = 1),
	seq bigint NOT NULL
);
INSERT INTO credential_cursor (id, seq) VALUES (1, 0);
