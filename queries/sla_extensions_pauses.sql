-- How often the clock's tools were used, over requests with a month clock received in the period:
-- extensions (Art. 12(3), two further months) and pauses while waiting for identity proof or
-- clarification (IMY-led practice), as counts and shares of those requests.
-- param $start: DATE, first day of the period
-- param $end: DATE, last day of the period
-- param $customer: VARCHAR, a customer id, or '' for all customers
-- returns: received_requests, extended_requests, extension_share, paused_requests, pause_share, pauses, identity_pauses, clarification_pauses
-- reads: requests
WITH scoped AS (
    SELECT request_id, is_extended
    FROM request_clock
    WHERE has_month_clock
      AND received_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
      AND ($customer = '' OR customer_id = $customer)
),
paused AS (
    SELECT
        p.request_id,
        count(*)                                          AS pauses,
        count(*) FILTER (WHERE p.reason = 'identity')     AS identity_pauses,
        count(*) FILTER (WHERE p.reason = 'clarification') AS clarification_pauses
    FROM request_pauses AS p
    WHERE p.request_id IN (SELECT request_id FROM scoped)
    GROUP BY p.request_id
)
SELECT
    count(*)                                                        AS received_requests,
    count(*) FILTER (WHERE s.is_extended)                           AS extended_requests,
    count(*) FILTER (WHERE s.is_extended) / nullif(count(*), 0)     AS extension_share,
    count(p.request_id)                                             AS paused_requests,
    count(p.request_id) / nullif(count(*), 0)                       AS pause_share,
    coalesce(sum(p.pauses), 0)                                      AS pauses,
    coalesce(sum(p.identity_pauses), 0)                             AS identity_pauses,
    coalesce(sum(p.clarification_pauses), 0)                        AS clarification_pauses
FROM scoped AS s
LEFT JOIN paused AS p USING (request_id)
