-- safeer-hq schema, version 7 (PostgreSQL): HQ finds the people merged
-- into a person (to undo merges into someone deleted, hq/mergedeleted.go)
-- from an expression index on person rows only. Keep in step with
-- hq/sqlite/migrations.
CREATE INDEX rows_person_merged_into ON rows ((((data::jsonb) -> 'merged_into') ->> 'v')) WHERE tbl = 'person';
