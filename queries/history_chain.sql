-- Every history entry in chain order, with the fields its hash covers (for verification).
-- returns: entry_id, request_id, recorded_at, actor, action, changes, note, prev_hash, entry_hash
-- reads: requests
SELECT entry_id, request_id, recorded_at, actor, action, changes, note, prev_hash, entry_hash
FROM request_history
ORDER BY entry_id
