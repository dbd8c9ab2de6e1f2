-- Rows per table of the store, for `python -m privacyops stats` and the status line.
-- returns: table_name, row_count
-- reads: consent, customers, requests, retention
SELECT 'customers' AS table_name, count(*) AS row_count FROM customers
UNION ALL SELECT 'customer_retention_terms', count(*) FROM customer_retention_terms
UNION ALL SELECT 'consent_records', count(*) FROM consent_records
UNION ALL SELECT 'requests', count(*) FROM requests
UNION ALL SELECT 'request_pauses', count(*) FROM request_pauses
UNION ALL SELECT 'request_history', count(*) FROM request_history
UNION ALL SELECT 'retention_records', count(*) FROM retention_records
UNION ALL SELECT 'customer_changes', count(*) FROM customer_changes
