-- Safeer device schema, version 4.
--
-- An import writes 100,000 people in one go; keeping an index of their
-- batch cost about a fifth of the person table's insert time. Only undo
-- reads by batch, rarely, and a scan of the roster is fast enough there.
DROP INDEX person_import_batch;
