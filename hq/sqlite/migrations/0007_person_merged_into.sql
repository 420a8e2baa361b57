-- safeer-hq schema, version 7 (SQLite): HQ finds the people merged into a
-- person (to undo merges into someone deleted, hq/mergedeleted.go) from
-- an expression index on person rows only. Keep in step with
-- hq/postgres/migrations.
CREATE INDEX rows_person_merged_into ON rows (json_extract(data, '$.merged_into.v')) WHERE tbl = 'person';
