-- The SQL explorer's retention_status view: the personal-data records of the quote service (an inventory, not
-- the data itself) with the end of their retention as the retention_status business view defines it.
-- returns: record_id, customer_id, data_category, created_at, last_used_at, retention_ends_on, effective_end_on, retention_days, end_action, disposed_at, disposed_on, disposal_action
-- reads: customers, retention
SELECT
    record_id,
    customer_id,
    data_category,
    created_at,
    last_used_at,
    retention_ends_on,
    effective_end_on,
    retention_days,
    end_action,
    disposed_at,
    disposed_on,
    disposal_action
FROM retention_status
