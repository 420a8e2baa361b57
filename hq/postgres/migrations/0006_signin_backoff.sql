-- safeer-hq schema, version 3 (PostgreSQL): the per-account back-off of
-- the console's sign-in (hq/web). Keep in step with hq/sqlite/migrations.

-- Failed sign-ins by the name typed (an account's or not): kept in the
-- database so that every safeer-hq process on it counts the same guesses.
CREATE TABLE signin_failures (
	name         text PRIMARY KEY,
	failures     integer NOT NULL,
	last_failure timestamptz NOT NULL,
	locked_until timestamptz
);
CREATE INDEX signin_failures_last ON signin_failures (last_failure);
