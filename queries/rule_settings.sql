-- The stored rule settings (a key missing here takes its default from privacyops.rules.settings).
-- returns: key, value, updated_at, updated_by
-- reads: settings
SELECT key, value, updated_at, updated_by FROM settings ORDER BY key
