-- The SQL explorer's request_pauses view: when a request's clock stopped (waiting for identity proof or a
-- clarification) and when it resumed. No personal data.
-- returns: request_id, paused_at, reason, resumed_at
-- reads: requests
SELECT request_id, paused_at, reason, resumed_at
FROM request_pauses
