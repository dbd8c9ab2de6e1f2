-- The store's own facts (e.g. contents = 'demo' for a demo store).
-- returns: key, value
SELECT key, value FROM store_meta ORDER BY key
