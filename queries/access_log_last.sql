-- The newest access-log entry (the chain continues from its hash).
-- returns: entry_id, entry_hash
-- reads: access
SELECT entry_id, entry_hash FROM access_log ORDER BY entry_id DESC LIMIT 1
