-- safeer-hq schema, version 3 (PostgreSQL). Keep in step with
-- hq/sqlite/migrations.

-- An op id is unique per device only: HQ's idempotency record is keyed on
-- (device, op id), so one device can never take another's (predictable)
-- op ids and have that device's ops refused as duplicates or reused ids.
-- The rows already carry the device that applied them.
ALTER TABLE applied_ops DROP CONSTRAINT applied_ops_pkey;
ALTER TABLE applied_ops ADD PRIMARY KEY (device_id, op_id);
