"""Deadline arithmetic for data-subject requests (docs/rules.md, section 1).

Pure functions only: no database, no I/O. Every rule is taken from, and cited against:

* GDPR (Regulation 2016/679) Art. 12(3): answer "within one month of receipt", extendable by two
  further months if the data subject is told, with reasons, within the first month.
* Regulation (EEC, Euratom) No 1182/71 on periods, dates and time limits:
  Art. 3(1) the day of receipt is not counted; Art. 3(2)(c) a period in months ends on the same
  date in the last month, or on that month's last day when the date does not exist;
  Art. 3(4) a period ending on a Saturday, Sunday or public holiday ends on the next working day.
* Lag (1989:253) om allmänna helgdagar: the 13 Swedish public holidays (Whit Monday removed 2005).
* Lag (1930:173) om beräkning av lagstadgad tid: 1 § (missing date -> last day of the month),
  2 § (Midsummer Eve, Christmas Eve and New Year's Eve treated like Saturdays). Whether 2 § reaches
  an EU-law deadline is unclear, so it is off by default (the earlier, never-late date) and can be
  switched on with ``eves_are_holidays=True``.

The Swedish calendar these periods are counted over (public holidays, working days) is
`swedish_calendar`; how a deadline was reached, in words, is `deadline_words`.
"""

from __future__ import annotations

import calendar
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from privacyops.rules.swedish_calendar import english_date, is_working_day, roll_to_working_day

__all__ = [
    "GDPR_APPLIES_FROM",
    "STOCKHOLM",
    "add_months",
    "answer_by_date",
    "days_left",
    "due_date",
    "extended_due_date",
    "extension_allowed",
    "extension_applies",
    "forward_due_date",
    "is_answered_on_time",
    "pause_moves_deadline",
    "paused_days",
    "paused_due_date",
    "stockholm_date",
]

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")

# GDPR Art. 99(2): the Regulation applies from 25 May 2018. No data-subject request under it (and no Art. 12(3)
# clock) can have been received before that day: an earlier date of receipt is a typing mistake.
GDPR_APPLIES_FROM = date(2018, 5, 25)

# Months of the GDPR Art. 12(3) periods.
ONE_MONTH = 1
EXTENDED_MONTHS = 3  # the first month plus "two further months"


def stockholm_date(received: date | datetime) -> date:
    """Return the Europe/Stockholm calendar date of a receipt (rules.md 1, counting step 1).

    Regulation 1182/71 Art. 3(1) counts from the day of receipt, and the day is the one in
    Stockholm, not in UTC. A ``date`` is returned unchanged; a timezone-aware ``datetime`` is
    converted to Europe/Stockholm and its date taken. A naive ``datetime`` is ambiguous and
    raises ``ValueError``.
    """
    if isinstance(received, datetime):
        if received.tzinfo is None or received.utcoffset() is None:
            raise ValueError(
                f"received datetime {received.isoformat()} must be timezone-aware "
                "(naive datetimes are ambiguous; attach UTC or another zone)"
            )
        return received.astimezone(STOCKHOLM).date()
    if isinstance(received, date):
        return received
    raise TypeError(f"expected a date or datetime, got {type(received).__name__}")


def add_months(day: date, months: int) -> date:
    """Return the same day number ``months`` months later (earlier if negative).

    Regulation 1182/71 Art. 3(2)(c) and lag 1930:173, 1 §: when that day does not exist in the
    target month, the period ends on the last day of that month (31 January + 1 month ->
    28 February, or 29 February in a leap year). It never rolls into the following month.
    """
    month_index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(month_index, 12)
    month = month0 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last_day))


def _period_end(
    received: date | datetime, months: int, eves_are_holidays: bool
) -> date:
    start = stockholm_date(received)
    return roll_to_working_day(
        add_months(start, months), eves_are_holidays=eves_are_holidays
    )


def due_date(received: date | datetime, *, eves_are_holidays: bool = False) -> date:
    """The GDPR Art. 12(3) one-month deadline for a request received at ``received``.

    Counted per Regulation 1182/71: the Stockholm date of receipt is not counted (Art. 3(1)),
    the month ends on the same date one month later or that month's last day (Art. 3(2)(c)),
    rolled forward past Saturdays, Sundays and public holidays (Art. 3(4)).
    """
    return _period_end(received, ONE_MONTH, eves_are_holidays)


def extended_due_date(
    received: date | datetime, *, eves_are_holidays: bool = False
) -> date:
    """The extended GDPR Art. 12(3) deadline: three months counted from receipt.

    The "two further months" run with the first month as one three-month period from the date
    of receipt (not from the one-month due date), counted like ``due_date`` under
    Regulation 1182/71 Art. 3(1), 3(2)(c) and 3(4).
    """
    return _period_end(received, EXTENDED_MONTHS, eves_are_holidays)



def forward_due_date(
    received: date | datetime, working_days: int, *, eves_are_holidays: bool = False
) -> date:
    """The processor's forwarding deadline under the customer's DPA (GDPR Art. 28(3)(e)).

    Counted like Regulation 1182/71 Art. 3(1) and 3(3): the Stockholm day of receipt is not
    counted, then ``working_days`` working days (Art. 3(4): no Saturdays, Sundays, public holidays
    of lag 1989:253, nor the eves of lag 1930:173, 2 § when the setting is on) are counted after
    it; the last of them is the deadline. ``working_days=0`` means the day of receipt itself.
    """
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    day = stockholm_date(received)
    remaining = working_days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, eves_are_holidays=eves_are_holidays):
            remaining -= 1
    return day


def paused_days(pauses: Iterable[tuple[date, date | None]], today: date) -> int:
    """Total calendar days the clock was stopped (rules.md 1, "Pausing"; IMY-led practice).

    GDPR Art. 12(3) has no pause; supervisory practice accepts one while the controller waits
    for identity proof it asked for promptly. A pause (start, end) stops the clock for
    ``end - start`` days; an open pause (end None) for ``today - start`` days (0 if it starts
    after today). Overlapping or touching pauses are merged, so no day is counted twice.
    """
    spans: list[tuple[date, date]] = []
    for start, end in pauses:
        stop = today if end is None else end
        if end is not None and end < start:
            raise ValueError(f"pause ends ({end}) before it starts ({start})")
        if stop > start:
            spans.append((start, stop))
    spans.sort()

    total = 0
    current_start: date | None = None
    current_end: date | None = None
    for start, stop in spans:
        if current_end is None or current_start is None or start > current_end:
            if current_start is not None and current_end is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, stop
        elif stop > current_end:
            current_end = stop
    if current_start is not None and current_end is not None:
        total += (current_end - current_start).days
    return total


def paused_due_date(
    received: date | datetime,
    pauses: Iterable[tuple[date, date | None]],
    today: date,
    *,
    months: int = ONE_MONTH,
    eves_are_holidays: bool = False,
) -> date:
    """The deadline moved by the paused days (rules.md 1, "Pausing").

    The paused days (``paused_days``) are added to the *unrolled* end of the period (the same date
    ``months`` months after the Stockholm day of receipt, or that month's last day, Regulation
    1182/71 Art. 3(2)(c)), and only then is the result rolled past Saturdays, Sundays and public
    holidays (Art. 3(4)). Adding them to the already-rolled date would give a later date than the
    law allows: received 5 March 2025 (one month: Saturday 5 April), paused 10-12 March (2 days):
    5 April + 2 = Monday 7 April, not 7 April + 2 = 9 April. With no paused days this is the
    ordinary deadline. Pass only the pauses that move the deadline (``pause_moves_deadline``).
    """
    start = stockholm_date(received)
    stopped = paused_days(pauses, today)
    return roll_to_working_day(add_months(start, months) + timedelta(days=stopped),
                               eves_are_holidays=eves_are_holidays)


def pause_moves_deadline(
    received: date | datetime,
    reason: str,
    asked_on: date,
    *,
    within_working_days: int,
    eves_are_holidays: bool = False,
) -> bool:
    """Whether a pause stops the statutory clock (rules.md 1, "Pausing").

    The GDPR has no pause; supervisory practice (IMY; EDPB 01/2022 on identification) accepts that
    the clock waits for identity proof the controller asked for without undue delay. Our reading (a
    setting): only an identity check asked for within ``within_working_days`` working days of
    receipt moves the deadline, counted like the forwarding term (the day of receipt not counted).
    Other pauses (clarification) are recorded and shown but move nothing.
    """
    if reason != "identity":
        return False
    latest = forward_due_date(received, within_working_days, eves_are_holidays=eves_are_holidays)
    return asked_on <= latest


def answer_by_date(
    received: date | datetime,
    *,
    extended: bool,
    refused: bool,
    pauses: Iterable[tuple[date, date | None]] = (),
    today: date | None = None,
    eves_are_holidays: bool = False,
) -> date:
    """The date a request had to be answered by: the one every on-time figure compares with.

    GDPR Art. 12(3): one month, or three when validly extended; Art. 12(4): a refusal (the reasons
    and the note on the right to complain) is due within the one month even when the request was
    extended (rules.md 1). Qualifying pauses move it (``paused_due_date``). ``pauses`` are the
    (start, end) Stockholm dates of the pauses that move the deadline; an open one counts to
    ``today``.
    """
    months = EXTENDED_MONTHS if extended and not refused else ONE_MONTH
    spans = list(pauses)
    return paused_due_date(received, spans, today or stockholm_date(received), months=months,
                           eves_are_holidays=eves_are_holidays)


def is_answered_on_time(answered_on: date, answer_by: date) -> bool:
    """On time when answered on or before the answer-by date: the last day of the period is still
    inside it (Regulation 1182/71 Art. 3(2)(c)); the day after is late."""
    return answered_on <= answer_by


def days_left(due: date, today: date) -> int:
    """Calendar days from ``today`` to ``due``: 0 on the due day, negative once overdue.

    The GDPR Art. 12(3) deadline expires at the end of the due day (Regulation 1182/71
    Art. 3(2)(c)), so the due day itself is not yet late.
    """
    return (due - today).days


def extension_allowed(
    received: date | datetime,
    decided_on: date,
    notified_on: date,
    *,
    eves_are_holidays: bool = False,
) -> tuple[bool, str]:
    """Whether the two-month extension of GDPR Art. 12(3) applies, and why (not).

    Counts the request's deadlines from ``received``; a request already logged has them stored:
    check it with ``extension_applies`` and its own dates (rules.md 1, issue: a changed eves setting
    must not move a logged request's deadline).
    """
    return extension_applies(
        due_date(received, eves_are_holidays=eves_are_holidays),
        extended_due_date(received, eves_are_holidays=eves_are_holidays),
        decided_on, notified_on)


def extension_applies(
    due: date, extended_due: date, decided_on: date, notified_on: date
) -> tuple[bool, str]:
    """Whether the two-month extension of GDPR Art. 12(3) applies to a request whose one-month
    deadline is ``due`` (and three-month deadline ``extended_due``), and why (not).

    The period "may be extended by two further months" only if the data subject is told, with
    reasons, "within one month of receipt": both the decision and the notice must fall on or
    before the one-month due date. An extension recorded after the one-month date does not apply
    (rules.md 1).
    """
    problems = []
    if decided_on > due:
        problems.append(f"it was decided on {english_date(decided_on)}")
    if notified_on > due:
        problems.append(f"the requester was told on {english_date(notified_on)}")
    if problems:
        why_not = (
            f"The extension does not apply: {' and '.join(problems)}, after the one-month "
            f"deadline of {english_date(due)} (GDPR Art. 12(3): the requester must be told "
            "within the first month)."
        )
        return False, why_not
    why = (
        f"The extension applies: decided on {english_date(decided_on)} and the requester told "
        f"on {english_date(notified_on)}, both on or before the one-month deadline of "
        f"{english_date(due)}; the deadline is now {english_date(extended_due)}."
    )
    return True, why
