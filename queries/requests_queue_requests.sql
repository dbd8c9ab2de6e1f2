-- The support queue: requests with both clocks (request_clock view), open ones first, soonest due first.
-- Days left = the statutory effective due date (extended when validly extended, Art. 12(3)) minus $as_of;
-- negative when overdue. A pause does not stop this count: alerts run against the un-paused deadline
-- (rules.md 1, Pausing). Band of an open request: 'Overdue' when days left < 0, 'Due soon' when days left
-- <= $soon_days or when there is no month clock (a consent withdrawal takes effect at once, Art. 7(3)),
-- else 'On track'. A closed request has band 'Closed' and no days left.
-- The requester's email is masked here (k***@example.com); the full contact details are read only in
-- the detail of one request (request_detail). $email_search matches the full address, case-insensitive,
-- as plain text: LIKE wildcards typed by the user are escaped. Closed requests follow the open ones,
-- most recently closed first. recipients_pending: a rectification, erasure or restriction whose recipients
-- are not yet told (Art. 19; the recipients_pending macro of migration 006); $recipients_pending_only lists
-- only those.
-- param $as_of: DATE, today (Europe/Stockholm)
-- param $soon_days: INTEGER, a request is due soon within this many days (setting soon_due_days)
-- param $customer: VARCHAR, customer id; '' for all customers
-- param $status: VARCHAR, status code; '' for every status
-- param $request_type: VARCHAR, request type code; '' for every type
-- param $assignee: VARCHAR, assignee; '' for everyone, '(unassigned)' for requests nobody has
-- param $overdue_only: BOOLEAN, only requests in the 'Overdue' band
-- param $include_closed: BOOLEAN, also completed, refused and withdrawn requests
-- param $recipients_pending_only: BOOLEAN, only requests whose recipients are not yet told (Art. 19)
-- param $email_search: VARCHAR, part of the requester's email address; '' for no search
-- param $max_rows: INTEGER, list at most this many rows (matching_requests counts them all)
-- returns: request_id, customer_id, customer_name, request_type, status, requester, received_on, days_left, band, forward_due_date, is_forwarded, forwarded_on, forward_late, effective_due_date, is_extended, assignee, is_open, closed_on, recipients_pending, matching_requests
-- reads: customers, requests
WITH queue AS (
    SELECT
        r.request_id,
        r.customer_id,
        controller_label(r.customer_id, c.name)                        AS customer_name,
        r.request_type,
        r.status,
        CASE WHEN r.requester_email IS NULL THEN NULL
             ELSE left(r.requester_email, 1) || '***' || substr(r.requester_email, strpos(r.requester_email, '@'))
        END                                                            AS requester,
        r.received_on,
        r.received_at,
        CASE WHEN r.is_open THEN date_diff('day', $as_of, r.effective_due_date) END AS days_left,
        CASE
            WHEN NOT r.is_open THEN 'Closed'
            WHEN r.effective_due_date IS NULL THEN 'Due soon'
            WHEN r.effective_due_date < $as_of THEN 'Overdue'
            WHEN date_diff('day', $as_of, r.effective_due_date) <= $soon_days THEN 'Due soon'
            ELSE 'On track'
        END                                                            AS band,
        r.forward_due_date,
        r.forwarded_at IS NOT NULL                                     AS is_forwarded,
        r.forwarded_on,
        r.is_open AND r.forwarded_at IS NULL AND r.forward_due_date < $as_of AS forward_late,
        r.effective_due_date,
        r.is_extended,
        r.assignee,
        r.is_open,
        r.closed_on,
        recipients_pending(r.request_type, r.outcome, r.recipients_notice) AS recipients_pending,
        r.requester_email
    FROM request_clock AS r
    LEFT JOIN customers AS c USING (customer_id)
)
SELECT
    request_id, customer_id, customer_name, request_type, status, requester, received_on, days_left, band,
    forward_due_date, is_forwarded, forwarded_on, forward_late, effective_due_date, is_extended, assignee,
    is_open, closed_on, recipients_pending, count(*) OVER () AS matching_requests
FROM queue
WHERE (is_open OR $include_closed)
  AND ($customer = '' OR customer_id = $customer)
  AND ($status = '' OR status = $status)
  AND ($request_type = '' OR request_type = $request_type)
  AND ($assignee = '' OR coalesce(assignee, '(unassigned)') = $assignee)
  AND (NOT $overdue_only OR band = 'Overdue')
  AND (NOT $recipients_pending_only OR recipients_pending)
  AND (trim($email_search) = ''
       OR requester_email ILIKE '%' || replace(replace(replace(trim($email_search), '\', '\\'), '%', '\%'), '_', '\_')
                                || '%' ESCAPE '\')
ORDER BY is_open DESC, CASE WHEN is_open THEN coalesce(days_left, 0) END, closed_on DESC, received_at, request_id
LIMIT $max_rows
