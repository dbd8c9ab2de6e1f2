"""The processor's forwarding term against the controller's statutory clock (docs/rules.md, section 2).

Pure functions only: no database, no I/O. A request reaches the controller (the customer) through
Expandra; the customer's DPA gives Expandra a forwarding term in working days, but the controller's
one month (GDPR Art. 12(3)) counts from Expandra's receipt and "cannot be extended" because a processor
is involved. rules.md 2: "A forwarding term longer than the time left on the statutory clock helps
nobody: warn when the forwarding date falls after the due date". Two warnings follow from it: one for a
logged request (`forwarding_warnings`) and one for a customer's term (`forwarding_term_can_pass_due_date`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from privacyops.rules import deadlines
from privacyops.rules.swedish_calendar import is_working_day


def forwarding_warnings(forward_due: date | None, due: date | None) -> tuple[str, ...]:
    """A forwarding deadline after the statutory one helps nobody (rules.md 2): say so."""
    if forward_due is None or due is None or forward_due <= due:
        return ()
    return (f"The customer's forwarding term ends on {forward_due:%Y-%m-%d}, after the statutory deadline of "
            f"{due:%Y-%m-%d}: forward at once, well before the forwarding term, or the controller cannot "
            "answer in time (GDPR Art. 12(3); the month is not extended because a processor is involved).",)


@dataclass(frozen=True)
class ShortestMonth:
    """The receipt date whose one-month due date leaves the fewest working days to forward in."""

    received_on: date
    due_on: date
    working_days: int


@lru_cache(maxsize=64)
def shortest_statutory_month(first_received: date, days: int = 366, *,
                             eves_are_holidays: bool = False) -> ShortestMonth:
    """Over the receipt dates `first_received` .. `first_received + days - 1`: the fewest working days
    between the day of receipt (not counted) and its GDPR Art. 12(3) one-month due date (counted), as
    `deadlines.forward_due_date` counts a forwarding term. A month holds 15-19 of them around Christmas and
    Easter (17 without the eves setting in December 2025), not the 20-23 of an ordinary month.
    """
    worst: ShortestMonth | None = None
    for offset in range(days):
        received = first_received + timedelta(days=offset)
        due = deadlines.due_date(received, eves_are_holidays=eves_are_holidays)
        count = sum(1 for d in range(1, (due - received).days + 1)
                    if is_working_day(received + timedelta(days=d), eves_are_holidays=eves_are_holidays))
        if worst is None or count < worst.working_days:
            worst = ShortestMonth(received, due, count)
    if worst is None:
        raise ValueError("days must be at least 1")
    return worst


def forwarding_term_can_pass_due_date(forward_working_days: int, today: date, *,
                                      eves_are_holidays: bool = False) -> ShortestMonth | None:
    """Whether a forwarding term can end after the statutory due date (rules.md 2: "A forwarding term longer
    than the time left on the statutory clock helps nobody: warn when the forwarding date falls after the
    due date"; the controller's month counts from Expandra's receipt and "cannot be extended" because a
    processor is involved).

    The forwarding date of a request received on day r is r + the term in working days; it falls after the
    due date exactly when the month from r holds fewer working days than the term. The term applies to
    requests logged from today on, so every receipt date of the coming year is checked: returns the worst
    one (its due date and working days) when the term is longer than the fewest working days any of those
    months holds, else None. A term equal to that number ends on the due date itself: not late.
    """
    shortest = shortest_statutory_month(today, eves_are_holidays=eves_are_holidays)
    return shortest if forward_working_days > shortest.working_days else None
