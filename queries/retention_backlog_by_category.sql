-- The retention backlog (rules.md 4) by data category: records past their end of retention that are
-- not yet deleted or anonymised on $as_of.
-- param $as_of: DATE, the day the backlog is counted on (today)
-- param $customer: VARCHAR, a customer_id, or '' for all customers
-- returns: data_category, backlog_records, oldest_days_past_end
-- reads: customers, retention
SELECT
    data_category,
    count(*)                                        AS backlog_records,
    max(date_diff('day', effective_end_on, $as_of)) AS oldest_days_past_end
FROM retention_status
WHERE ($customer = '' OR customer_id = $customer)
  AND in_retention_backlog(effective_end_on, disposed_on, $as_of)
GROUP BY data_category
ORDER BY backlog_records DESC, data_category
