-- The retention backlog (rules.md 4, privacy policy section 5) now and one period earlier, each under the
-- terms in force on that day (retention_backlog_spans): records in the backlog on the day, and how many
-- days the oldest of them has been late (0 on the day it became due; lateness that carried on across a
-- term change counts from its start).
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $start: DATE, first day of the period (with $end, sets the period length)
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: backlog_records, oldest_days, backlog_records_prev, oldest_days_prev
-- reads: customers, retention
WITH period AS (
    SELECT
        CAST($as_of AS DATE) AS as_of,
        CAST($as_of AS DATE) - CAST(date_diff('day', CAST($start AS DATE), CAST($end AS DATE)) + 1 AS INTEGER) AS before_on
),
spans AS (
    SELECT s.*,
        s.start_on <= p.as_of AND (s.stop_on IS NULL OR s.stop_on > p.as_of)         AS is_now,
        s.start_on <= p.before_on AND (s.stop_on IS NULL OR s.stop_on > p.before_on) AS is_before,
        p.as_of,
        p.before_on
    FROM retention_backlog_spans AS s
    CROSS JOIN period AS p
    WHERE ($customer = '' OR s.customer_id = $customer)
      AND s.start_on <= p.as_of
)
SELECT
    CAST(coalesce(sum(records) FILTER (WHERE is_now), 0) AS BIGINT)              AS backlog_records,
    max(date_diff('day', episode_start_on, as_of)) FILTER (WHERE is_now)         AS oldest_days,
    CAST(coalesce(sum(records) FILTER (WHERE is_before), 0) AS BIGINT)           AS backlog_records_prev,
    max(date_diff('day', episode_start_on, before_on)) FILTER (WHERE is_before)  AS oldest_days_prev
FROM spans
