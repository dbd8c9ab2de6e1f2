-- 002: the business definitions, as views that read like a glossary. Every query builds on these,
-- so "valid opt-in", "on time" and "backlog" mean one thing everywhere. privacyops.rules.consent,
-- privacyops.rules.retention and privacyops.rules.deadlines hold the same rules as pure functions; a data test
-- checks that the two agree.

-- Consent (rules.md 3). A valid choice is a clear affirmative act: accept all, reject all or a custom
-- choice. Implied-by-use and pre-ticked records are NOT consent (Planet49 C-673/17; EDPB 05/2020
-- para 86): they stay in the denominator as "asked, no valid answer" and never count as opt-ins.
-- Withdrawals are events on an earlier consent, counted on their own.
CREATE VIEW consent_facts AS
SELECT
    c.*,
    CAST(c.given_at AS DATE)                               AS given_on,
    c.method IN ('accept_all', 'reject_all', 'custom')     AS is_valid_choice,
    c.method IN ('implied', 'pre_ticked')                  AS is_invalid_consent,
    c.method = 'withdrawal'                                AS is_withdrawal,
    c.method <> 'withdrawal'                               AS is_consent_decision,
    c.method IN ('accept_all', 'reject_all', 'custom') AND c.functional AS functional_opt_in,
    c.method IN ('accept_all', 'reject_all', 'custom') AND c.analytics  AS analytics_opt_in,
    c.method IN ('accept_all', 'reject_all', 'custom') AND c.marketing  AS marketing_opt_in
FROM consent_records AS c;

-- Requests (rules.md 1-2). Dates are Europe/Stockholm calendar dates: the law counts days there.
-- The effective due date is the extended one when an extension was validly recorded.
CREATE VIEW request_clock AS
SELECT
    r.*,
    CAST((r.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE)  AS received_on,
    CAST((r.forwarded_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE) AS forwarded_on,
    CAST((r.closed_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE)    AS closed_on,
    coalesce(r.extended_due_date, r.due_date)                                        AS effective_due_date,
    r.status IN ('logged', 'forwarded', 'in_progress', 'paused')                     AS is_open,
    r.extended_due_date IS NOT NULL                                                  AS is_extended,
    -- A consent withdrawal takes effect at once (Art. 7(3)): no month clock, no on-time figure.
    r.due_date IS NOT NULL                                                           AS has_month_clock,
    -- Answered on time: closed on or before the (extended) due date, a Stockholm calendar date.
    CAST((r.closed_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE)
        <= coalesce(r.extended_due_date, r.due_date)                                 AS is_on_time
FROM requests AS r;

-- Retention (rules.md 4). A record's retention ends on the date its source set, or else on the day
-- its last use plus the customer's current term for its category: a changed term moves the end at
-- once. It is in the backlog from that day until it is deleted or anonymised. Days are Stockholm
-- calendar days, like every other date the dashboard compares with today.
CREATE VIEW retention_status AS
SELECT
    r.*,
    coalesce(r.retention_ends_on,
             CAST((r.last_used_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE)
                 + t.retention_days)                                               AS effective_end_on,
    t.retention_days,
    t.end_action,
    CAST((r.disposed_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE) AS disposed_on
FROM retention_records AS r
LEFT JOIN customer_retention_terms AS t
    ON t.customer_id = r.customer_id AND t.data_category = r.data_category;

-- The backlog, as of day d: retention has ended by d and the record was not deleted or anonymised by d.
CREATE MACRO in_retention_backlog(end_on, disposed_on, d) AS
    end_on <= d AND (disposed_on IS NULL OR disposed_on > d);

-- The Explore page's filters, defined once: consent records of a date range (UTC dates of given_at) and
-- customer ('' = all), in the listed countries, methods, policy versions and sources (an empty list =
-- any), with at least one of the listed purposes switched on (an empty list = any).
CREATE MACRO explore_consent(start_on, end_on, customer, countries, purposes, methods, policy_versions, sources)
AS TABLE
SELECT *
FROM consent_facts
WHERE given_on BETWEEN start_on AND end_on
  AND (customer = '' OR customer_id = customer)
  AND (len(countries) = 0 OR list_contains(countries, country))
  AND (len(methods) = 0 OR list_contains(methods, method))
  AND (len(policy_versions) = 0 OR list_contains(policy_versions, policy_version))
  AND (len(sources) = 0 OR list_contains(sources, source))
  AND (len(purposes) = 0
       OR (functional AND list_contains(purposes, 'functional'))
       OR (analytics AND list_contains(purposes, 'analytics'))
       OR (marketing AND list_contains(purposes, 'marketing')));
