"""The GDPR deadline of a request explained in words, step by step (docs/rules.md, section 1).

Pure functions only: no database, no I/O. The dates come from `deadlines` and `swedish_calendar`;
this module only says how they were reached, for the Log request page and a request's detail.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from privacyops.rules.deadlines import ONE_MONTH, add_months, stockholm_date
from privacyops.rules.swedish_calendar import MONTH_NAMES, english_date, non_working_reason

__all__ = ["explain_due_date", "months_phrase"]

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                 "twelve")


def months_phrase(months: int) -> str:
    """"one month", "three months": the period in words."""
    word = _NUMBER_WORDS[months] if 0 <= months < len(_NUMBER_WORDS) else str(months)
    unit = "month" if months == 1 else "months"
    return f"{word} {unit}"


def explain_due_date(
    received: date | datetime,
    *,
    months: int = ONE_MONTH,
    eves_are_holidays: bool = False,
) -> str:
    """Explain in words how the deadline ``months`` months after receipt was reached.

    Walks through Regulation 1182/71 as applied to GDPR Art. 12(3): the Stockholm date of receipt
    (Art. 3(1)), the same date ``months`` later or the month's last day if that date is missing
    (Art. 3(2)(c), lag 1930:173, 1 §), and each Saturday, Sunday or public holiday skipped
    (Art. 3(4), lag 1989:253; eves per lag 1930:173, 2 § when the setting is on).
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    start = stockholm_date(received)
    end = add_months(start, months)
    sentences = [f"Received {english_date(start)} (Stockholm time)."]

    later = f"{months_phrase(months).capitalize()} later"
    if end.day != start.day:
        # Art. 3(2)(c): the day number does not exist in the target month.
        missing_month = MONTH_NAMES[end.month]
        sentences.append(
            f"{later} is in {missing_month} {end.year}. {start.day} {missing_month} does not "
            f"exist, so the period ends on the last day of {missing_month}: "
            f"{english_date(end)}."
        )
    else:
        sentences.append(f"{later} is {english_date(end)}.")

    skipped: list[tuple[date, str]] = []
    day = end
    while (
        reason := non_working_reason(day, eves_are_holidays=eves_are_holidays)
    ) is not None:
        skipped.append((day, reason))
        day += timedelta(days=1)

    if not skipped:
        sentences.append(
            f"{english_date(end)} is a working day, so it is the deadline."
        )
        return " ".join(sentences)

    weekend_reasons = ("a Saturday", "a Sunday")
    if all(reason in weekend_reasons for _, reason in skipped):
        # A plain weekend needs no list: "5 April 2025 is a Saturday, so ...".
        first_day, first_reason = skipped[0]
        clauses = [f"{english_date(first_day, weekday=False)} is {first_reason}"]
    else:
        # A chain with a holiday in it: name every day skipped, with its weekday.
        clauses = []
        previous_year: int | None = None
        for skipped_day, reason in skipped:
            show_year = skipped_day.year != previous_year
            previous_year = skipped_day.year
            clauses.append(f"{english_date(skipped_day, year=show_year)} is {reason}")
    sentences.append(
        f"{', '.join(clauses)}, so the deadline moves to {english_date(day)}."
    )
    return " ".join(sentences)
