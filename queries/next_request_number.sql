-- The number for the next DSR-nnnnnn request id (ids of other shapes, e.g. imported ones, are skipped).
-- returns: next_number
-- reads: requests
SELECT coalesce(max(TRY_CAST(substr(request_id, 5) AS BIGINT)), 0) + 1 AS next_number
FROM requests
WHERE request_id LIKE 'DSR-%'
