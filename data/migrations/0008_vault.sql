-- Safeer device schema, version 8: encryption at rest (issue 14).
--
-- On a protected database (meta vault_key_id set, the key file beside the
-- database) the person table's civil_id, phone, email and notes hold values
-- sealed under the data key ("v1:…", see package vault), and so do the
-- outbox's and refused ops' payloads for them and the conflict log's
-- winner and loser. The exact look-ups by civil ID, phone or e-mail then go
-- through these keyed hashes (HMAC-SHA256 of the value in its one stored
-- spelling, under a key derived from the data key): equal values have
-- equal hashes, and the hash reveals nothing without the key. On a clear
-- database they stay empty. Local columns, not synced.
ALTER TABLE person ADD COLUMN civil_id_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE person ADD COLUMN phone_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE person ADD COLUMN email_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX person_civil_id_hash ON person (civil_id_hash) WHERE civil_id_hash != '';
CREATE INDEX person_phone_hash ON person (phone_hash) WHERE phone_hash != '';
CREATE INDEX person_email_hash ON person (email_hash) WHERE email_hash != '';
