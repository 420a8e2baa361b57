-- Reserved: device schema version 10 belongs to another branch. This
-- placeholder keeps the numbers contiguous on branch badges2 only; delete
-- it when merging (the real 0010 takes its place).
SELECT 1;
