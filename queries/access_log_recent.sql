-- The access log for the admin's view, newest first, optionally one event kind.
-- param $event: VARCHAR, '' for every kind
-- param $start: DATE, first day (UTC) shown
-- param $end: DATE, last day (UTC) shown
-- returns: entry_id, recorded_at, actor, event, target, detail
-- reads: access
SELECT entry_id, recorded_at, actor, event, target, detail
FROM access_log
WHERE ($event = '' OR event = $event)
  AND CAST(recorded_at AS DATE) BETWEEN $start AND $end
ORDER BY entry_id DESC
LIMIT 5000
