-- The SQL explorer's request_clock view: the request_clock business view without the requester's contact
-- details (email, name), the free-text description, extension reason and refusal reasons, and with the
-- subject id and the assignee (a staff email) replaced by keyed pseudonyms (privacyops/explorer/pseudonym.py). Columns are listed one by
-- one so that a column added to requests later never reaches the analysts unreviewed.
-- param $key: VARCHAR, the pseudonym key (never shown, never written to the snapshot)
-- returns: request_id, customer_id, request_type, channel, subject_key, status, assignee_key, received_at, received_on, forward_due_date, forwarded_at, forwarded_on, due_date, extension_notified_at, extended_due_date, effective_due_date, is_extended, closed_at, closed_on, outcome, refusal_ground, is_open, contact_anonymised_at, created_at, updated_at, answer_by_date, answered_on, in_on_time_rate, is_on_time, is_own_request, is_controller_handled, is_withdrawn, controller_answered_on, refusal_notified_at, recipients_notice, recipients_told_at
-- reads: requests
SELECT
    request_id,
    customer_id,
    request_type,
    channel,
    left(sha256($key || sha256($key || '|subject|' || subject_id)), 16) AS subject_key,
    status,
    left(sha256($key || sha256($key || '|staff|' || assignee)), 16) AS assignee_key,
    received_at,
    received_on,
    forward_due_date,
    forwarded_at,
    forwarded_on,
    due_date,
    extension_notified_at,
    extended_due_date,
    effective_due_date,
    is_extended,
    closed_at,
    closed_on,
    outcome,
    refusal_ground,
    is_open,
    contact_anonymised_at,
    created_at,
    updated_at,
    answer_by_date,
    answered_on,
    in_on_time_rate,
    is_on_time,
    is_own_request,
    is_controller_handled,
    is_withdrawn,
    controller_answered_on,
    refusal_notified_at,
    recipients_notice,
    recipients_told_at
FROM request_clock
