-- Safeer device schema, version 10: cheaper look-up hashes (issue 14).
--
-- The keyed hashes of migration 8 lose their indexes: every person brings
-- three random strings into three B-trees, which made an import into a
-- protected database a fifth slower than into a clear one on their own
-- (BENCHMARKS.md), for a look-up (PeopleWith) that a clear database makes
-- by scanning the column, with no index, as well.
DROP INDEX IF EXISTS person_civil_id_hash;
DROP INDEX IF EXISTS person_phone_hash;
DROP INDEX IF EXISTS person_email_hash;
-- And they keep the first 16 characters of their base64url, the first 12
-- bytes (96 bits) of the HMAC-SHA256 (package vault's Hash): 81 bytes less
-- a person, and two different values of a roster still never share one
-- (the look-up also compares the opened value). On a clear database they
-- are empty and stay so.
UPDATE person SET
	civil_id_hash = substr(civil_id_hash, 1, 16),
	phone_hash = substr(phone_hash, 1, 16),
	email_hash = substr(email_hash, 1, 16)
WHERE length(civil_id_hash) > 16 OR length(phone_hash) > 16 OR length(email_hash) > 16;
