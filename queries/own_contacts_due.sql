-- Privacy Ops' own retention (rules.md 4): closed requests whose evidence period has ended and whose
-- requester contact details or subject id are still held (also when the contacts went before subject ids
-- were included). Their details are due for anonymisation.
-- param $as_of: DATE, today
-- param $evidence_years: INTEGER, years the evidence is kept after closing (setting contact_evidence_years)
-- returns: request_id, closed_on, evidence_ends_on
-- reads: requests
SELECT request_id, closed_on,
       CAST(closed_on + to_years(CAST($evidence_years AS INTEGER)) AS DATE) AS evidence_ends_on
FROM request_clock
WHERE NOT is_open
  AND (requester_email IS NOT NULL OR requester_name IS NOT NULL OR subject_id IS NOT NULL
       OR description IS NOT NULL)
  AND CAST(closed_on + to_years(CAST($evidence_years AS INTEGER)) AS DATE) <= $as_of
ORDER BY closed_on, request_id
