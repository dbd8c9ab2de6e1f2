-- The history of one request, oldest first.
-- param $request_id: VARCHAR
-- returns: entry_id, recorded_at, actor, action, changes, note
-- reads: requests
SELECT entry_id, recorded_at, actor, action, changes, note
FROM request_history
WHERE request_id = $request_id
ORDER BY entry_id
