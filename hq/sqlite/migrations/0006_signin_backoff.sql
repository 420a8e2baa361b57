-- safeer-hq schema, version 3 (SQLite): the per-account back-off of the
-- console's sign-in (hq/web). Keep in step with hq/postgres/migrations.

-- Failed sign-ins by the name typed (an account's or not): kept in the
-- database so that every safeer-hq process on it counts the same guesses.
-- Times are Unix milliseconds, which compare as numbers.
CREATE TABLE signin_failures (
	name         TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL,
	last_failure INTEGER NOT NULL,
	locked_until INTEGER
) STRICT;
CREATE INDEX signin_failures_last ON signin_failures (last_failure);
