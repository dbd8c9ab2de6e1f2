-- 007: retention follows the customer's instructions as and when they were given (rules.md 4).
--
-- A processor may be late only from the day it got the instruction (GDPR Art. 28(3)(a)). So a record's
-- end of retention is read from the terms in force over time, not from today's term alone:
--   * The FIRST term of a category (customer_changes old_value NULL, or no change at all) applies since
--     the processing began. The DPA (Art. 28(3)) precedes any processing, so Expandra held that
--     instruction before the customer's first record; the day someone typed it into Privacy Ops (the
--     creation entry, customers.created_at) is not the day it was given, and counting from it would hide
--     the real backlog of every store set up after the fact.
--   * A CHANGE of a term (old_value -> new_value, customer_changes) applies from the Stockholm date it
--     was saved; the last change of a day wins. Under the new term a record's end is the later of
--     last use + new term and the day of the change. A shortened term therefore puts records in the
--     backlog on the day of the change at the earliest, never in the weeks before it.
--   * A record that was already past its end under the old term and is still due under the new one
--     stays late from its old end: its lateness is one unbroken episode (retention_term_carry).
--   * A LENGTHENED term takes a record that is no longer due out of the backlog on the day of the
--     change (the customer now wants it kept); the weeks before the change still count it (it was late
--     then); it is due again at last use + the new term.
-- A customer's deletion instruction or the end of its contract (Art. 28(3)(g)) makes every record of
-- that customer due from that day (the earlier of the two; never before the record was created): a
-- record's end is the earlier of its own end and that day.
-- privacyops.rules.retention holds the same rules as pure functions; tests/data/test_rules_agree.py checks them.

ALTER TABLE customers ADD COLUMN deletion_instructed_on DATE;
ALTER TABLE customers ADD COLUMN contract_ended_on DATE;

-- The retention term of each (customer, data category) over time: period 0 holds since the processing
-- began (valid_from NULL); each later period from the day of a change (valid_from, inclusive) to the next
-- change (valid_to, exclusive; NULL: in force now). The period in force now takes its days from
-- customer_retention_terms (the authority for today); earlier ones from the change log. retention_days
-- NULL: no usable term in that period (no record is due under it).
CREATE OR REPLACE VIEW retention_term_periods AS
WITH changes AS (
    SELECT
        customer_id,
        split_part(field, '.', 1)                                                       AS data_category,
        CAST((changed_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE)   AS changed_on,
        changed_at,
        change_id,
        TRY_CAST(old_value AS INTEGER)                                                  AS old_days,
        TRY_CAST(new_value AS INTEGER)                                                  AS new_days
    FROM customer_changes
    WHERE field LIKE '%.retention_days' AND old_value IS NOT NULL   -- a first term is not a change
),
ordered AS (
    SELECT *,
        row_number() OVER (PARTITION BY customer_id, data_category, changed_on ORDER BY changed_at, change_id)
            AS nth_of_day,
        count(*) OVER (PARTITION BY customer_id, data_category, changed_on)        AS changes_of_day
    FROM changes
),
boundaries AS (  -- one per day: the term before the day's first change, the term after its last
    SELECT customer_id, data_category, changed_on,
        max(old_days) FILTER (WHERE nth_of_day = 1)              AS old_days,
        max(new_days) FILTER (WHERE nth_of_day = changes_of_day) AS new_days
    FROM ordered
    GROUP BY customer_id, data_category, changed_on
),
numbered AS (
    SELECT *,
        row_number() OVER (PARTITION BY customer_id, data_category ORDER BY changed_on) AS period_no,
        lead(changed_on) OVER (PARTITION BY customer_id, data_category ORDER BY changed_on) AS next_on
    FROM boundaries
)
SELECT t.customer_id, t.data_category, 0 AS period_no, CAST(NULL AS DATE) AS valid_from,
       b.changed_on AS valid_to, b.old_days AS retention_days
FROM customer_retention_terms AS t
JOIN numbered AS b ON b.customer_id = t.customer_id AND b.data_category = t.data_category AND b.period_no = 1
UNION ALL
SELECT t.customer_id, t.data_category, b.period_no, b.changed_on, b.next_on,
       CASE WHEN b.next_on IS NULL THEN t.retention_days ELSE b.new_days END
FROM customer_retention_terms AS t
JOIN numbered AS b ON b.customer_id = t.customer_id AND b.data_category = t.data_category
UNION ALL
SELECT t.customer_id, t.data_category, 0, NULL, NULL, t.retention_days
FROM customer_retention_terms AS t
WHERE NOT EXISTS (SELECT 1 FROM numbered AS b
                  WHERE b.customer_id = t.customer_id AND b.data_category = t.data_category);

-- Where a record's current episode of lateness began. Under period k a record last used on day u is due
-- from e_k = greatest(u + days_k, valid_from_k). Its lateness continues unbroken across the change that
-- starts period j when it was due before the change (u + days_(j-1) < valid_from_j) and is due at once
-- after it (u + days_j <= valid_from_j), i.e. when u <= carry_j = valid_from_j - greatest(days_j,
-- days_(j-1) + 1). So the episode covering period k began in the earliest period o ("origin") with
-- u <= carry_j for every change j after o up to k. One row per (period k, origin o): the records whose
-- episode in k began in o are those with lu_after < u <= lu_through (these ranges split the calendar).
-- carry_next: the next change's carry (NULL for the period in force now): a record with u <= carry_next
-- stays late across the end of period k. Tiny (a few rows per customer and category), so every record
-- joins it on equality plus a range.
CREATE OR REPLACE VIEW retention_term_carry AS
WITH periods AS (
    SELECT *,
        CASE WHEN period_no = 0 THEN NULL
             WHEN retention_days IS NULL OR prev_days IS NULL THEN DATE '0001-01-01'   -- no term: a break
             ELSE valid_from - greatest(retention_days, prev_days + 1) END AS carry
    FROM (SELECT *, lag(retention_days) OVER (PARTITION BY customer_id, data_category ORDER BY period_no)
                        AS prev_days
          FROM retention_term_periods)
),
with_next AS (
    SELECT *, lead(carry) OVER (PARTITION BY customer_id, data_category ORDER BY period_no) AS carry_next
    FROM periods
),
pairs AS (
    SELECT p.customer_id, p.data_category, p.period_no, p.valid_from, p.valid_to, p.retention_days, p.carry_next,
           o.period_no AS origin_no, o.valid_from AS origin_from, o.retention_days AS origin_days,
           o.carry AS origin_carry,
           coalesce(min(j.carry), DATE '9999-12-31') AS lu_through
    FROM with_next AS p
    JOIN with_next AS o
        ON o.customer_id = p.customer_id AND o.data_category = p.data_category AND o.period_no <= p.period_no
    LEFT JOIN with_next AS j
        ON j.customer_id = p.customer_id AND j.data_category = p.data_category
       AND j.period_no > o.period_no AND j.period_no <= p.period_no
    GROUP BY ALL
)
SELECT customer_id, data_category, period_no, valid_from, valid_to, retention_days, carry_next,
       origin_no, origin_from, origin_days,
       CASE WHEN origin_no = 0 THEN DATE '0001-01-01' ELSE least(origin_carry, lu_through) END AS lu_after,
       lu_through
FROM pairs;

-- Retention (rules.md 4), under the instructions in force today. effective_end_on: the day the record's
-- current lateness began (or begins): the source system's date, else its terms over time as above; the
-- earlier of that and the customer's disposal day (disposal_due_from). term_end_on: the same without the
-- customer's deletion instruction or contract end (so a page can tell how many records that made due).
-- For a past day use retention_backlog_spans: its terms may have been different.
CREATE OR REPLACE VIEW retention_status AS
WITH records AS (
    SELECT
        r.*,
        CAST((r.last_used_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE) AS last_used_on,
        CAST((r.disposed_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE)  AS disposed_on,
        CASE WHEN least(c.deletion_instructed_on, c.contract_ended_on) IS NOT NULL
             THEN greatest(least(c.deletion_instructed_on, c.contract_ended_on),
                           CAST((r.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE))
        END                                                                                AS disposal_due_from
    FROM retention_records AS r
    LEFT JOIN customers AS c ON c.customer_id = r.customer_id
),
ends AS (
    SELECT
        rec.*,
        coalesce(rec.retention_ends_on,
                 greatest(rec.last_used_on + cur_term.origin_days,
                          coalesce(cur_term.origin_from, rec.last_used_on + cur_term.origin_days)))  AS term_end_on,
        -- The episode of lateness the customer's disposal day falls in: the term episode that reaches it
        -- (started before it, in the period holding the day before), else the day itself.
        CASE WHEN rec.disposal_due_from IS NULL THEN NULL
             WHEN rec.retention_ends_on IS NULL AND at_day.retention_days IS NOT NULL
                  AND greatest(rec.last_used_on + at_day.retention_days,
                               coalesce(at_day.valid_from, rec.last_used_on + at_day.retention_days))
                      < rec.disposal_due_from
             THEN greatest(rec.last_used_on + at_day.origin_days,
                           coalesce(at_day.origin_from, rec.last_used_on + at_day.origin_days))
             ELSE rec.disposal_due_from END                                                AS disposal_episode_on
    FROM records AS rec
    LEFT JOIN retention_term_carry AS cur_term
        ON cur_term.customer_id = rec.customer_id AND cur_term.data_category = rec.data_category
       AND cur_term.valid_to IS NULL
       AND rec.last_used_on > cur_term.lu_after AND rec.last_used_on <= cur_term.lu_through
    LEFT JOIN retention_term_carry AS at_day
        ON rec.disposal_due_from IS NOT NULL
       AND at_day.customer_id = rec.customer_id AND at_day.data_category = rec.data_category
       AND (at_day.valid_from IS NULL OR at_day.valid_from < rec.disposal_due_from)
       AND (at_day.valid_to IS NULL OR at_day.valid_to >= rec.disposal_due_from)
       AND rec.last_used_on > at_day.lu_after AND rec.last_used_on <= at_day.lu_through
)
SELECT
    e.* EXCLUDE (last_used_on, disposed_on, disposal_due_from, term_end_on, disposal_episode_on),
    least(e.term_end_on, e.disposal_episode_on) AS effective_end_on,
    t.retention_days,
    t.end_action,
    e.disposed_on,
    e.term_end_on,
    e.disposal_due_from
FROM ends AS e
LEFT JOIN customer_retention_terms AS t
    ON t.customer_id = e.customer_id AND t.data_category = e.data_category;

-- The backlog over time: every stretch [start_on, stop_on) a group of records spent in the backlog, under
-- the terms in force on each day (one stretch per term period, cut at the customer's disposal day and at
-- disposal), plus the stretch from the customer's disposal day. A record is in the backlog on day d when
-- start_on <= d < stop_on (stop_on NULL: still there). episode_start_on: when that lateness began
-- (earlier than start_on when it carried on across a change). stop_reason: 'disposed' (deleted or
-- anonymised), 'term_changed' or 'instruction' (the customer's disposal day). continued: the record is
-- still in the backlog the next day (a stretch of the same episode follows). Records are grouped before
-- the terms are joined, and the stretches grouped again, so queries over time stay small.
CREATE OR REPLACE VIEW retention_backlog_spans AS
WITH inventory AS (
    SELECT
        r.customer_id,
        r.data_category,
        r.retention_ends_on,
        CAST((r.last_used_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE) AS last_used_on,
        CAST((r.disposed_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE)  AS disposed_on,
        CASE WHEN least(c.deletion_instructed_on, c.contract_ended_on) IS NOT NULL
             THEN greatest(least(c.deletion_instructed_on, c.contract_ended_on),
                           CAST((r.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE))
        END                                                                                AS disposal_due_from
    FROM retention_records AS r
    LEFT JOIN customers AS c ON c.customer_id = r.customer_id
),
cohorts AS (
    SELECT customer_id, data_category, retention_ends_on, last_used_on, disposed_on, disposal_due_from,
           count(*) AS records, row_number() OVER () AS cohort_no
    FROM inventory
    GROUP BY ALL
),
term_stretches AS (
    SELECT c.cohort_no, c.customer_id, c.records, c.disposed_on, c.disposal_due_from,
        greatest(c.last_used_on + k.retention_days,
                 coalesce(k.valid_from, c.last_used_on + k.retention_days))         AS start_on,
        greatest(c.last_used_on + k.origin_days,
                 coalesce(k.origin_from, c.last_used_on + k.origin_days))           AS episode_start_on,
        k.valid_to,
        coalesce(c.last_used_on <= k.carry_next, FALSE)                             AS carries_on
    FROM cohorts AS c
    JOIN retention_term_carry AS k
        ON k.customer_id = c.customer_id AND k.data_category = c.data_category
       AND c.last_used_on > k.lu_after AND c.last_used_on <= k.lu_through
    WHERE c.retention_ends_on IS NULL AND k.retention_days IS NOT NULL
    UNION ALL
    SELECT cohort_no, customer_id, records, disposed_on, disposal_due_from, retention_ends_on, retention_ends_on,
           NULL, FALSE
    FROM cohorts
    WHERE retention_ends_on IS NOT NULL
),
cut AS (
    SELECT *, least(valid_to, disposal_due_from, disposed_on) AS stop_on FROM term_stretches
),
stretches AS (
    SELECT cohort_no, customer_id, records, start_on, stop_on, episode_start_on,
        CASE WHEN stop_on IS NULL THEN NULL
             WHEN stop_on = disposed_on THEN 'disposed'
             WHEN stop_on = disposal_due_from THEN 'instruction'
             ELSE 'term_changed' END                                                AS stop_reason,
        CASE WHEN stop_on IS NULL OR stop_on = disposed_on THEN FALSE
             WHEN stop_on = disposal_due_from THEN TRUE
             ELSE carries_on END                                                    AS continued
    FROM cut
    WHERE stop_on IS NULL OR start_on < stop_on
),
instruction_stretches AS (
    SELECT c.cohort_no, c.customer_id, c.records, c.disposal_due_from AS start_on, c.disposed_on AS stop_on,
        coalesce(s.episode_start_on, c.disposal_due_from)                           AS episode_start_on,
        CASE WHEN c.disposed_on IS NOT NULL THEN 'disposed' END                     AS stop_reason,
        FALSE                                                                       AS continued
    FROM cohorts AS c
    LEFT JOIN stretches AS s ON s.cohort_no = c.cohort_no AND s.stop_reason = 'instruction'
    WHERE c.disposal_due_from IS NOT NULL AND (c.disposed_on IS NULL OR c.disposal_due_from < c.disposed_on)
)
SELECT customer_id, start_on, stop_on, episode_start_on, stop_reason, continued, CAST(sum(records) AS BIGINT) AS records
FROM (SELECT * EXCLUDE (cohort_no) FROM stretches
      UNION ALL BY NAME
      SELECT * EXCLUDE (cohort_no) FROM instruction_stretches)
GROUP BY ALL;
