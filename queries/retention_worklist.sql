-- The deletion worklist: every record in the backlog on $as_of (rules.md 4), longest overdue first.
-- Identifiers and terms only, no personal data. effective_end_on: the day the record's current lateness
-- began (retention_status: after a shortened term, not before the day of the change).
-- param $as_of: DATE, the day the backlog is counted on (today)
-- param $customer: VARCHAR, a customer_id, or '' for all customers
-- param $limit: BIGINT, at most this many rows (NULL: all, for the download)
-- returns: record_id, customer_id, data_category, effective_end_on, days_past_end, end_action
-- reads: customers, retention
SELECT
    record_id,
    customer_id,
    data_category,
    effective_end_on,
    date_diff('day', effective_end_on, $as_of) AS days_past_end,
    end_action
FROM retention_status
WHERE ($customer = '' OR customer_id = $customer)
  AND in_retention_backlog(effective_end_on, disposed_on, $as_of)
ORDER BY days_past_end DESC, record_id
LIMIT $limit
