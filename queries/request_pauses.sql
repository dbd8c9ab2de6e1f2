-- The pauses of one request, oldest first (an open pause has no resumed_at).
-- param $request_id: VARCHAR
-- returns: paused_at, resumed_at, reason
SELECT paused_at, resumed_at, reason
FROM request_pauses
WHERE request_id = $request_id
ORDER BY paused_at
