-- The problems found in one import run, one row per problem, in file order (capped for display).
-- param $run_id: BIGINT, the import run
-- returns: line_number, column_name, reason, value
-- reads: imports
SELECT line_number, column_name, reason, value
FROM import_rejects
WHERE run_id = $run_id
ORDER BY line_number, column_name
LIMIT 10000
