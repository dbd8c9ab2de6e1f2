"""What analysts can query in the SQL explorer: the pseudonymised views, each filled from a snapshot query
(queries/sql_explorer_snapshot_*.sql), and the example the page starts with.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExplorerView:
    name: str
    query: str          # queries/NAME.sql, the snapshot query that fills it
    description: str


VIEWS: tuple[ExplorerView, ...] = (
    ExplorerView("consent_facts", "sql_explorer_snapshot_consent",
                 "One row per consent record, with the business flags of the Consent page: is_valid_choice "
                 "(accept all, reject all, custom), is_invalid_consent (implied, pre-ticked: never opt-ins), "
                 "is_withdrawal and the per-purpose opt-ins. subject_key is a keyed pseudonym of the visitor."),
    ExplorerView("request_clock", "sql_explorer_snapshot_requests",
                 "One row per data-subject request with its Stockholm dates and deadlines (effective_due_date "
                 "is the extended one when validly extended). No contact details or free text; subject_key "
                 "and assignee_key are keyed pseudonyms (subject_key matches consent_facts.subject_key)."),
    ExplorerView("request_pauses", "sql_explorer_snapshot_request_pauses",
                 "When a request's clock stopped (waiting for identity proof or a clarification) and resumed."),
    ExplorerView("retention_status", "sql_explorer_snapshot_retention",
                 "The inventory of personal-data records in the quote service with the day their retention "
                 "ends (effective_end_on) and when they were deleted or anonymised."),
    ExplorerView("customers", "sql_explorer_snapshot_customers",
                 "The controllers Expandra serves and their forwarding term (working days)."),
    ExplorerView("customer_retention_terms", "sql_explorer_snapshot_retention_terms",
                 "Each customer's retention term per data category and what happens when it ends."),
)
VIEW_NAMES: tuple[str, ...] = tuple(v.name for v in VIEWS)

EXAMPLE_SQL = """-- Valid opt-in rate for analytics per customer
SELECT customer_id,
       count(*) FILTER (WHERE is_consent_decision)                       AS decisions,
       avg(analytics_opt_in::INT) FILTER (WHERE is_consent_decision)     AS analytics_rate
FROM consent_facts
GROUP BY customer_id
ORDER BY customer_id"""

