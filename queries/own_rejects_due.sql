-- Rejected rows of request imports keep the requesters' contact details as they stood in the file; they are
-- kept 90 days so the file can be corrected and imported again, then removed (rules.md 4).
-- param $as_of: DATE, today
-- returns: run_id, rejected_rows
-- reads: imports
SELECT r.run_id, count(*) AS rejected_rows
FROM import_rejects AS j
JOIN import_runs AS r USING (run_id)
WHERE r.kind = 'requests'
  AND CAST(r.finished_at AS DATE) + 90 <= $as_of
  AND (j.value IS NOT NULL OR j.record IS NOT NULL)
GROUP BY r.run_id
ORDER BY r.run_id
