-- Safeer device schema, version 7.
--
-- Pairs of people the coordinator said are not the same person (on the
-- duplicates screen), so the pair is not offered as a possible duplicate
-- again. It is this device's coordinator's own judgement: a local table,
-- not synced (no hlc, no outbox op). Each pair is kept once, its two ids in
-- order. A pair naming someone later merged or deleted stays; it names no
-- one on the roster any more and does no harm.
CREATE TABLE not_same (
	person_a  TEXT NOT NULL,
	person_b  TEXT NOT NULL,
	marked_at TEXT NOT NULL,
	PRIMARY KEY (person_a, person_b),
	CHECK (person_a < person_b)
) STRICT, WITHOUT ROWID;
