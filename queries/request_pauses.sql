-- The pauses of one request, oldest first (an open pause has no resumed_at). asked_at: when the
-- information was asked for; moves_deadline: whether the pause moves the statutory deadline (rules.md 1,
-- Pausing: only an identity check asked for promptly; NULL for pauses recorded before this was decided).
-- param $request_id: VARCHAR
-- returns: paused_at, resumed_at, reason, asked_at, moves_deadline
-- reads: requests
SELECT paused_at, resumed_at, reason, asked_at, moves_deadline
FROM request_pauses
WHERE request_id = $request_id
ORDER BY paused_at
