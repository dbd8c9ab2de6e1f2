-- Requester contact details and subject ids held by Privacy Ops itself, as a retention category of its own.
-- param $as_of: DATE, today
-- param $evidence_years: INTEGER, years the evidence is kept after closing
-- returns: held_open, held_closed, due_for_anonymisation, anonymised, oldest_days_past_end
-- reads: requests
WITH contacts AS (
    SELECT is_open, contact_anonymised_at,
           requester_email IS NOT NULL OR requester_name IS NOT NULL OR subject_id IS NOT NULL
               OR description IS NOT NULL AS held,
           CAST(closed_on + to_years(CAST($evidence_years AS INTEGER)) AS DATE) AS evidence_ends_on
    FROM request_clock
)
SELECT
    count(*) FILTER (WHERE held AND is_open)                                             AS held_open,
    count(*) FILTER (WHERE held AND NOT is_open AND evidence_ends_on > $as_of)           AS held_closed,
    count(*) FILTER (WHERE held AND NOT is_open AND evidence_ends_on <= $as_of)          AS due_for_anonymisation,
    count(*) FILTER (WHERE contact_anonymised_at IS NOT NULL)                            AS anonymised,
    max(date_diff('day', evidence_ends_on, $as_of))
        FILTER (WHERE held AND NOT is_open AND evidence_ends_on <= $as_of)               AS oldest_days_past_end
FROM contacts
