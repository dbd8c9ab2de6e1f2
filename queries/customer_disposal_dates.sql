-- One customer's deletion instruction and contract end (GDPR Art. 28(3)(g); rules.md 4), and the first
-- day it existed for Expandra: the earlier of the day it was added to Privacy Ops and the creation of its
-- oldest record in the retention inventory (Stockholm dates). No date may be set before that day.
-- param $customer_id: VARCHAR
-- returns: customer_id, deletion_instructed_on, contract_ended_on, existed_from
-- reads: customers, retention
SELECT
    c.customer_id,
    c.deletion_instructed_on,
    c.contract_ended_on,
    least(CAST((c.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE),
          (SELECT min(CAST((r.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE))
           FROM retention_records AS r WHERE r.customer_id = c.customer_id)) AS existed_from
FROM customers AS c
WHERE c.customer_id = $customer_id
