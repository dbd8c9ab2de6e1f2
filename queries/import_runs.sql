-- The most recent import runs, newest first, with their reconciled counts (read = imported + rejected + duplicates).
-- param $kind: VARCHAR, the kind of file ('' means every kind)
-- returns: run_id, kind, file_name, started_at, actor, rows_read, rows_imported, rows_rejected, rows_duplicate, seconds
-- reads: imports
SELECT run_id, kind, file_name, started_at, actor, rows_read, rows_imported, rows_rejected, rows_duplicate,
       date_diff('millisecond', started_at, finished_at) / 1000.0 AS seconds
FROM import_runs
WHERE $kind = '' OR kind = $kind
ORDER BY run_id DESC
LIMIT 50
