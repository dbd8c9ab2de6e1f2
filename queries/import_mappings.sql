-- The saved column mappings for one kind of import file, by source name.
-- param $kind: VARCHAR, the kind of file (customers, consent, requests, retention)
-- returns: source, mapping, options, updated_at, updated_by
-- reads: imports
SELECT source, mapping, options, updated_at, updated_by
FROM import_mappings
WHERE kind = $kind
ORDER BY source
