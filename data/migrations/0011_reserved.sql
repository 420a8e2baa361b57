-- Reserved: device schema version 11 belongs to another branch. This
-- placeholder keeps the numbers contiguous on branch badges2 only; delete
-- it when merging (the real 0011 takes its place).
SELECT 1;
