-- The backlog's flow over the last 30 and 90 days up to $as_of (the deletion pace, privacyops.rules.forecast),
-- under the terms in force on each day (retention_backlog_spans, rules.md 4):
-- left_backlog = records deleted or anonymised in the window while in the backlog;
-- entered_backlog = records that became late in the window (their end came, a shortened term or the
-- customer's deletion instruction / contract end made them due) and were not disposed of that day;
-- released_backlog = records a lengthened term took out of the backlog in the window (not deletions).
-- backlog($as_of) = backlog(window start) + entered - left - released.
-- param $as_of: DATE, the last day of the windows (today)
-- param $customer: VARCHAR, a customer_id, or '' for all customers
-- returns: window_days, left_backlog, entered_backlog, released_backlog
-- reads: customers, retention
WITH windows (window_days) AS (VALUES (30), (90)),
spans AS (
    SELECT start_on, stop_on, episode_start_on, stop_reason, continued, records
    FROM retention_backlog_spans
    WHERE ($customer = '' OR customer_id = $customer)
      AND start_on <= $as_of
)
SELECT
    w.window_days,
    CAST(coalesce(sum(s.records) FILTER (
        WHERE s.stop_reason = 'disposed'
          AND s.stop_on > CAST($as_of AS DATE) - w.window_days AND s.stop_on <= $as_of), 0) AS BIGINT)  AS left_backlog,
    -- a stretch that carries on an earlier one (a term changed while the record was late) is no new entry
    CAST(coalesce(sum(s.records) FILTER (
        WHERE s.start_on > CAST($as_of AS DATE) - w.window_days
          AND s.episode_start_on = s.start_on), 0) AS BIGINT)                                          AS entered_backlog,
    CAST(coalesce(sum(s.records) FILTER (
        WHERE s.stop_reason = 'term_changed' AND NOT s.continued
          AND s.stop_on > CAST($as_of AS DATE) - w.window_days AND s.stop_on <= $as_of), 0) AS BIGINT)  AS released_backlog
FROM windows AS w
LEFT JOIN spans AS s ON TRUE
GROUP BY w.window_days
ORDER BY w.window_days
