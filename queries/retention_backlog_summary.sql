-- The retention backlog at a glance (rules.md 4): a record is in the backlog from the day its retention
-- ends (effective_end_on, retention_status view: under the terms in force today, late only from the day
-- a changed term was given, or from the customer's deletion instruction / contract end) until it is
-- deleted or anonymised. For days before the latest term change, see retention_backlog_weekly.
-- param $as_of: DATE, the day the backlog is counted on (today)
-- param $customer: VARCHAR, a customer_id, or '' for all customers
-- returns: records_in_inventory, records_held, backlog_records, backlog_to_delete, backlog_to_anonymise, oldest_days_past_end, records_without_end
-- reads: customers, retention
WITH records AS (
    SELECT
        effective_end_on,
        end_action,
        CAST(created_at AS DATE) <= $as_of AND (disposed_on IS NULL OR disposed_on > $as_of) AS is_held,
        in_retention_backlog(effective_end_on, disposed_on, $as_of)          AS is_backlog
    FROM retention_status
    WHERE ($customer = '' OR customer_id = $customer)
)
SELECT
    count(*)                                                                 AS records_in_inventory,
    count(*) FILTER (WHERE is_held)                                          AS records_held,
    count(*) FILTER (WHERE is_backlog)                                       AS backlog_records,
    count(*) FILTER (WHERE is_backlog AND end_action = 'delete')             AS backlog_to_delete,
    count(*) FILTER (WHERE is_backlog AND end_action = 'anonymise')          AS backlog_to_anonymise,
    max(date_diff('day', effective_end_on, $as_of)) FILTER (WHERE is_backlog) AS oldest_days_past_end,
    count(*) FILTER (WHERE is_held AND effective_end_on IS NULL)             AS records_without_end
FROM records
