-- 010: the request clock made exact (issue 8; rules.md 1 and 2).
-- * Requests where Expandra is itself the controller (its own website statistics) have no customer
--   and no forwarding clock: customer_id and forward_due_date become optional.
-- * The customer may tell us the date it answered a request it handled itself (controller_answered_on);
--   only then does such a request count against the statutory clock.
-- * Each request keeps the eves reading its dates were counted under (NULL: logged before this version;
--   the dates stored with it are then the evidence), so a later change of the setting moves nothing.
-- * Pauses record when the information was asked for, and whether the pause moves the deadline (only an
--   identity check asked for promptly does); the deadlines moved by those pauses are stored with the
--   request, computed by privacyops.rules.deadlines when a pause starts or ends (NULL: no qualifying pause).
ALTER TABLE requests ALTER COLUMN customer_id DROP NOT NULL;
ALTER TABLE requests ALTER COLUMN forward_due_date DROP NOT NULL;
ALTER TABLE requests ADD COLUMN controller_answered_on DATE;
ALTER TABLE requests ADD COLUMN eves_are_holidays BOOLEAN;
ALTER TABLE requests ADD COLUMN paused_due_date DATE;
ALTER TABLE requests ADD COLUMN paused_extended_due_date DATE;

ALTER TABLE request_pauses ADD COLUMN asked_at TIMESTAMP;
ALTER TABLE request_pauses ADD COLUMN moves_deadline BOOLEAN;
-- Existing pauses: the information was asked for when the pause was entered (issue 8). Whether they
-- moved the deadline was never decided: they move nothing (the earlier, never-late date) until set.
UPDATE request_pauses SET asked_at = paused_at;

-- Requests (rules.md 1-2). Dates are Europe/Stockholm calendar dates: the law counts days there.
-- effective_due_date: the statutory deadline alerts run against (extended when validly extended, no
--   pause: "keep alerting against the un-paused date").
-- answer_by_date: the date this request had to be answered by, the one every on-time figure uses:
--   a refusal within the one month even when extended (Art. 12(4)); otherwise the (extended) deadline;
--   both moved by qualifying identity pauses.
-- answered_on: when the requester got the answer: the closing day of a completed request; for a refusal
--   the day the requester was told the reasons (refusal_notified_at, migration 006; the closing day before);
--   for a request the controller handled itself, the date the controller told us it answered (unknown
--   until then); a withdrawn request has no answer.
-- in_on_time_rate: counted in the statutory on-time rate, the time to close and the breaches: a month
--   clock and an answer date. Withdrawn requests and controller-handled ones without a date stay out
--   (rules.md 1 and 2); they are listed apart.
CREATE OR REPLACE VIEW request_clock AS
WITH dated AS (
    SELECT
        r.*,
        CAST((r.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE)  AS received_on,
        CAST((r.forwarded_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE) AS forwarded_on,
        CAST((r.closed_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE)    AS closed_on,
        CAST((r.refusal_notified_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE)
                                                                                         AS refusal_notified_on,
        coalesce(r.extended_due_date, r.due_date)                                        AS effective_due_date,
        CASE
            WHEN r.due_date IS NULL THEN NULL
            WHEN r.outcome = 'refused' OR r.extended_due_date IS NULL THEN coalesce(r.paused_due_date, r.due_date)
            ELSE coalesce(r.paused_extended_due_date, r.extended_due_date)
        END                                                                              AS answer_by_date
    FROM requests AS r
),
answered AS (
    SELECT
        d.*,
        CASE d.outcome
            WHEN 'completed' THEN d.closed_on
            WHEN 'refused' THEN coalesce(d.refusal_notified_on, d.closed_on)
            WHEN 'forwarded_only' THEN d.controller_answered_on
        END                                                                              AS answered_on
    FROM dated AS d
)
SELECT
    a.*,
    a.status IN ('logged', 'forwarded', 'in_progress', 'paused')                         AS is_open,
    a.extended_due_date IS NOT NULL                                                      AS is_extended,
    -- A consent withdrawal takes effect at once (Art. 7(3)): no month clock, no on-time figure.
    a.due_date IS NOT NULL                                                               AS has_month_clock,
    -- Expandra is the controller (policy section 2): no customer, no forwarding clock.
    a.customer_id IS NULL                                                                AS is_own_request,
    a.outcome = 'forwarded_only'                                                         AS is_controller_handled,
    a.outcome = 'withdrawn'                                                              AS is_withdrawn,
    a.due_date IS NOT NULL AND a.answered_on IS NOT NULL                                 AS in_on_time_rate,
    -- Answered on time: on or before the answer-by date (the due day itself is not late).
    CASE WHEN a.due_date IS NOT NULL AND a.answered_on IS NOT NULL
         THEN a.answered_on <= a.answer_by_date END                                      AS is_on_time,
    CASE WHEN a.due_date IS NOT NULL AND a.answered_on IS NOT NULL
         THEN date_diff('day', a.received_on, a.answered_on) END                         AS days_to_answer,
    -- The processor's own clock (rules.md 2): forwarded by the customer's forwarding term.
    a.forwarded_on <= a.forward_due_date                                                 AS forwarded_on_time,
    -- A forwarding term that ends after the statutory deadline helps nobody (rules.md 2): warn.
    a.forward_due_date > a.due_date                                                      AS forwards_after_due_date
FROM answered AS a;

-- Who a request's controller is, in words: the customer's name, or Expandra itself (policy section 2).
CREATE MACRO controller_label(customer_id, customer_name) AS
    CASE WHEN customer_id IS NULL THEN 'Expandra AB (own controller)' ELSE customer_name END;
