-- The whole access log in chain order, with the fields its hash covers.
-- returns: entry_id, recorded_at, actor, event, target, detail, prev_hash, entry_hash
-- reads: access
SELECT entry_id, recorded_at, actor, event, target, detail, prev_hash, entry_hash
FROM access_log
ORDER BY entry_id
