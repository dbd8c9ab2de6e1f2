-- 006: closing a request as the law asks (issue 8): the refusal notice (Art. 12(4)) and the notice to
-- recipients after a rectification, erasure or restriction (Art. 19). New columns are NULL on existing
-- requests: nothing was recorded about them then. (DuckDB cannot add a column with a CHECK: the allowed
-- values are checked by privacyops.rules.lifecycle, in the app and in the import.)

-- The refusal notice: the reasons the requester was told, that they were told of the right to complain
-- to IMY and to seek a judicial remedy, and when (UTC, like every timestamp; the statutory on-time check
-- of a refusal counts this moment against the one-month date, rules.md 1).
ALTER TABLE requests ADD COLUMN refusal_reasons VARCHAR;
ALTER TABLE requests ADD COLUMN refusal_remedies_told BOOLEAN;
ALTER TABLE requests ADD COLUMN refusal_notified_at TIMESTAMP;

-- Art. 19: 'told' (with when, UTC) or 'none' (there are no recipients); NULL while not recorded.
ALTER TABLE requests ADD COLUMN recipients_notice VARCHAR;
ALTER TABLE requests ADD COLUMN recipients_told_at TIMESTAMP;

-- The types whose changes must be passed on to recipients (lifecycle.TYPES_NOTIFYING_RECIPIENTS), and
-- "recipients not yet told" (lifecycle.recipients_pending): open or completed, nothing recorded. A refused
-- or withdrawn request changed nothing; one handled by the controller leaves Art. 19 to the controller.
CREATE OR REPLACE MACRO tells_recipients(request_type) AS
    request_type IN ('rectification', 'erasure', 'restriction');
CREATE OR REPLACE MACRO recipients_pending(request_type, outcome, recipients_notice) AS
    tells_recipients(request_type) AND recipients_notice IS NULL
    AND (outcome IS NULL OR outcome = 'completed');
