-- A request's newest history entry (who changed it, when, by which action) and its status now: what a user is
-- told when the request changed after they opened it (request_actions.RequestChangedError).
-- param $request_id: VARCHAR, the request's id
-- param $seen_version: BIGINT, the newest history entry the user saw (changes_since counts those after it)
-- returns: entry_id, recorded_at, actor, action, status, changes_since
-- reads: requests
SELECT h.entry_id, h.recorded_at, h.actor, h.action, r.status,
       (SELECT count(*) FROM request_history AS n
        WHERE n.request_id = h.request_id AND n.entry_id > $seen_version) AS changes_since
FROM request_history AS h
JOIN requests AS r USING (request_id)
WHERE h.request_id = $request_id
ORDER BY h.entry_id DESC
LIMIT 1
