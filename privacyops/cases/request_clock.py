"""The two clocks of one logged request, as its detail shows them: the statutory deadline (with an
extension and qualifying pauses) and the customer's forwarding term, with the reasoning in words.

Every date is the one stored with the request, counted under the eves reading it was logged under
(`eves_reading`, rules.md 1): a changed setting must not move a logged request's deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from privacyops.cases.requests import RequestInputError
from privacyops.clock import from_utc_naive
from privacyops.rules import deadline_words, deadlines
from privacyops.rules.forwarding import forwarding_warnings
from privacyops.rules.settings import RuleSettings
from privacyops.store import Store
from privacyops.store import settings as stored_settings


def as_date(value: Any) -> date | None:
    """A date column as read back (a date, a datetime or pandas Timestamp, NULL/NaT) as a date or None."""
    if value is None or value != value:  # NaT/NaN from pandas
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value



def eves_reading(detail: Mapping[str, Any], settings: RuleSettings) -> bool:
    """The eves reading a request's dates were counted under (rules.md 1.7).

    Stored with every request logged since schema 010. For an older one, the reading that gives its
    stored one-month date; when both readings give that date, the current setting."""
    stored = detail.get("eves_are_holidays")
    if stored is not None and stored == stored:  # not NULL/NaN
        return bool(stored)
    current = settings.eves_are_holidays
    due = as_date(detail.get("due_date"))
    if due is None:
        return current
    received = from_utc_naive(as_datetime(detail["received_at"]))
    if deadlines.due_date(received, eves_are_holidays=current) == due:
        return current
    return not current


def as_datetime(value: Any) -> datetime:
    """A TIMESTAMP column as read back (a datetime or a pandas Timestamp) as a datetime."""
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value


@dataclass(frozen=True)
class RequestClock:
    """Both clocks of one request, as the detail view shows them."""

    due_date: date | None
    effective_due_date: date | None
    paused_due_date: date | None
    forward_due_date: date | None
    explanation: str
    days_left: int | None
    answer_by_date: date | None = None
    warnings: tuple[str, ...] = ()


def clock(store: Store, request_id: str, today: date) -> RequestClock:
    """The statutory and forwarding deadlines of a request, with the reasoning in words.

    A qualifying pause (an identity check asked for promptly) moves the date the request must be
    answered by; alerts keep running against the un-paused deadline (rules.md 1, Pausing), so
    `days_left` counts to the effective due date. `answer_by_date` is the date the on-time figures use
    (a refusal within the one month, Art. 12(4)); for an open pause it counts the paused days to today.
    """
    detail = store.query("request_detail", request_id=request_id)
    if detail.empty:
        raise RequestInputError({"request_id": f"There is no request {request_id}."})
    row = detail.iloc[0].to_dict()
    settings = stored_settings.current(store)
    received = from_utc_naive(row["received_at"].to_pydatetime())
    due = as_date(row["due_date"])
    effective = as_date(row["effective_due_date"])
    forward_due = as_date(row["forward_due_date"])
    if due is None:
        return RequestClock(None, None, None, forward_due,
                            "A consent withdrawal takes effect at once (GDPR Art. 7(3)); no one-month clock.",
                            None)
    eves = eves_reading(row, settings)
    explanation = deadline_words.explain_due_date(received, eves_are_holidays=eves)
    if effective != due:
        explanation += (" Extended by two months (Art. 12(3)): "
                        + deadline_words.explain_due_date(received, months=3, eves_are_holidays=eves))
    if row["is_own_request"]:
        explanation += " Expandra is the controller: the statutory clock is its own; nothing is forwarded."
    pauses = store.query("request_pauses", request_id=request_id)
    spans = [(deadlines.stockholm_date(from_utc_naive(p.paused_at.to_pydatetime())),
              None if p.resumed_at != p.resumed_at or p.resumed_at is None
              else deadlines.stockholm_date(from_utc_naive(p.resumed_at.to_pydatetime())))
             for p in pauses.itertuples() if p.moves_deadline is True]
    refused = row["outcome"] == "refused"
    answer_by = deadlines.answer_by_date(received, extended=effective != due, refused=refused, pauses=spans,
                                         today=today, eves_are_holidays=eves)
    if refused and effective != due:
        explanation += (" A refusal is due within the one month even after an extension (Art. 12(4)): "
                        f"it had to be sent by {answer_by:%Y-%m-%d}.")
    paused = answer_by if spans else None
    return RequestClock(due, effective, paused, forward_due, explanation, deadlines.days_left(effective, today),
                        answer_by, forwarding_warnings(forward_due, due))

