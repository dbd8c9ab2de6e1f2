-- The store's own facts (e.g. contents = 'demo' for a demo store).
-- returns: key, value
-- reads: settings
SELECT key, value FROM store_meta ORDER BY key
