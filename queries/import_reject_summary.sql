-- How many rows of one import run were rejected for each column and reason, most frequent first.
-- param $run_id: BIGINT, the import run
-- returns: column_name, reason, rows
-- reads: imports
SELECT column_name, reason, count(DISTINCT line_number) AS rows
FROM import_rejects
WHERE run_id = $run_id
GROUP BY column_name, reason
ORDER BY rows DESC, column_name, reason
