"""Retention rules (rules.md section 4; the privacy policy, section 5). Pure functions; the SQL view
`retention_status` holds the same definitions for the dashboard's queries.
"""

from __future__ import annotations

from datetime import date, timedelta

DATA_CATEGORIES: dict[str, str] = {
    "name": "Name",
    "email": "Email address",
    "company_details": "Company details",
    "user_data": "User data",
    "quote_content": "Quote content",
}
END_ACTIONS: dict[str, str] = {"delete": "Delete", "anonymise": "Anonymise"}
# Age buckets of the backlog, in days past the end of retention.
AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30 days", 0, 30), ("31-90 days", 31, 90), ("91-365 days", 91, 365), ("over 365 days", 366, None),
)


def retention_end(last_used_on: date, retention_days: int, explicit_end: date | None = None) -> date:
    """When retention ends: the date the source system set, else the last use plus the customer's
    current term for the category ("kept as long as needed", then deleted or anonymised)."""
    if explicit_end is not None:
        return explicit_end
    if retention_days < 1:
        raise ValueError("a retention term is at least one day")
    return last_used_on + timedelta(days=retention_days)


def in_backlog(end_on: date, disposed_on: date | None, as_of: date) -> bool:
    """A record is in the backlog from the day its retention ends until it is deleted or anonymised."""
    if end_on > as_of:
        return False
    return disposed_on is None or disposed_on > as_of


def days_past_end(end_on: date, as_of: date) -> int:
    """How long a backlog record has waited: 0 on the day retention ends."""
    return (as_of - end_on).days


def aging_bucket(days_past: int) -> str:
    """The aging bucket label for a record `days_past` days past its end of retention."""
    if days_past < 0:
        raise ValueError("the record is not past its end of retention")
    for label, low, high in AGING_BUCKETS:
        if days_past >= low and (high is None or days_past <= high):
            return label
    raise AssertionError("unreachable: the buckets cover every non-negative age")
