-- One request with its clock (request_clock view), its refusal notice (Art. 12(4)) and its Art. 19 record:
-- recipients_pending is the recipients_pending macro (migration 006): told, none, or still to record.
-- customer_name names Expandra itself for a request where Expandra is the controller.
-- version is the id of the request's newest history entry (0: none), read in this same statement: the state a user sees
-- and acts on (request_actions.apply refuses an action when the request has changed since).
-- param $request_id: VARCHAR, the request's id
-- returns: request_id, customer_id, customer_name, request_type, received_at, received_on, channel, requester_email, requester_name, subject_id, description, status, assignee, forward_due_date, forwarded_at, forwarded_on, due_date, extension_reason, extension_notified_at, extended_due_date, effective_due_date, closed_at, closed_on, outcome, refusal_ground, is_open, is_extended, contact_anonymised_at, created_at, updated_at, controller_answered_on, answer_by_date, answered_on, in_on_time_rate, is_on_time, is_own_request, forwards_after_due_date, eves_are_holidays, paused_due_date, paused_extended_due_date, refusal_reasons, refusal_remedies_told, refusal_notified_at, recipients_notice, recipients_told_at, recipients_pending, version
-- reads: customers, requests
SELECT
    r.request_id, r.customer_id, controller_label(r.customer_id, c.name) AS customer_name, r.request_type,
    r.received_at, r.received_on,
    r.channel, r.requester_email, r.requester_name, r.subject_id, r.description, r.status, r.assignee,
    r.forward_due_date, r.forwarded_at, r.forwarded_on, r.due_date, r.extension_reason,
    r.extension_notified_at, r.extended_due_date, r.effective_due_date, r.closed_at, r.closed_on,
    r.outcome, r.refusal_ground, r.is_open, r.is_extended, r.contact_anonymised_at, r.created_at, r.updated_at,
    r.controller_answered_on, r.answer_by_date, r.answered_on, r.in_on_time_rate, r.is_on_time, r.is_own_request,
    r.forwards_after_due_date, r.eves_are_holidays, r.paused_due_date, r.paused_extended_due_date,
    r.refusal_reasons, r.refusal_remedies_told, r.refusal_notified_at, r.recipients_notice, r.recipients_told_at,
    recipients_pending(r.request_type, r.outcome, r.recipients_notice) AS recipients_pending,
    (SELECT coalesce(max(h.entry_id), 0) FROM request_history AS h WHERE h.request_id = r.request_id) AS version
FROM request_clock AS r
LEFT JOIN customers AS c USING (customer_id)
WHERE r.request_id = $request_id
