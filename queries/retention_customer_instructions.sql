-- The customers with a deletion instruction or a contract end (GDPR Art. 28(3)(g); rules.md 4): every
-- record of theirs is due for disposal from the earlier of the two days (disposal_due_from). On $as_of:
-- records still held (not deleted or anonymised), those in the backlog, and how many of those the
-- instruction or contract end made due (their own end of retention has not come, or they have none).
-- param $as_of: DATE, the day the backlog is counted on (today)
-- param $customer: VARCHAR, a customer_id, or '' for all customers
-- returns: customer_id, customer_name, deletion_instructed_on, contract_ended_on, disposal_due_from, records_held, backlog_records, made_due_records
-- reads: customers, retention
WITH instructed AS (
    SELECT customer_id, name, deletion_instructed_on, contract_ended_on,
           least(deletion_instructed_on, contract_ended_on) AS disposal_due_from
    FROM customers
    WHERE (deletion_instructed_on IS NOT NULL OR contract_ended_on IS NOT NULL)
      AND ($customer = '' OR customer_id = $customer)
),
records AS (
    SELECT
        s.customer_id,
        count(*) FILTER (WHERE CAST(s.created_at AS DATE) <= $as_of
                           AND (s.disposed_on IS NULL OR s.disposed_on > $as_of))             AS records_held,
        count(*) FILTER (WHERE in_retention_backlog(s.effective_end_on, s.disposed_on, $as_of)) AS backlog_records,
        count(*) FILTER (WHERE in_retention_backlog(s.effective_end_on, s.disposed_on, $as_of)
                           AND (s.term_end_on IS NULL OR s.term_end_on > $as_of))              AS made_due_records
    FROM retention_status AS s
    WHERE s.customer_id IN (SELECT customer_id FROM instructed)
    GROUP BY s.customer_id
)
SELECT
    i.customer_id,
    i.name                                          AS customer_name,
    i.deletion_instructed_on,
    i.contract_ended_on,
    i.disposal_due_from,
    CAST(coalesce(r.records_held, 0) AS BIGINT)     AS records_held,
    CAST(coalesce(r.backlog_records, 0) AS BIGINT)  AS backlog_records,
    CAST(coalesce(r.made_due_records, 0) AS BIGINT) AS made_due_records
FROM instructed AS i
LEFT JOIN records AS r ON r.customer_id = i.customer_id
ORDER BY i.disposal_due_from, i.customer_id
