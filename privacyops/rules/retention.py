"""Retention rules (rules.md section 4; the privacy policy, section 5). Pure functions; the SQL views of
migration 007 (`retention_term_periods`, `retention_term_carry`, `retention_status`,
`retention_backlog_spans`) hold the same definitions for the dashboard's queries.

A processor can be late only from the day it got the instruction (GDPR Art. 28(3)(a)), so a record's end
of retention follows the terms in force over time:

- The first term of a category applies since the processing began: the DPA precedes every record, so
  the day the term was typed into Privacy Ops is not the day the instruction was given (counting from it
  would hide the real backlog of any store set up after the fact).
- A changed term applies from the (Stockholm) day of the change: under it a record's end is the later of
  last use + the new term and that day. A shortened term puts records in the backlog on that day at the
  earliest. A record already late under the old term and still due under the new one stays late from its
  old end (one unbroken stretch of lateness). A lengthened term takes a record that is no longer due out
  of the backlog on the day of the change; it was late before, and is due again at last use + the new term.
- A customer's deletion instruction or contract end (Art. 28(3)(g)) makes every record of the customer
  due from that day (the earlier of the two, never before the record was created).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
    """When retention ends under a term that never changed: the date the source system set, else the last
    use plus the customer's term for the category ("kept as long as needed", then deleted or anonymised).
    With changed terms or a disposal instruction, see `effective_end`."""
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


# --- terms over time (rules.md 4, Art. 28(3)(a) and (g)) ----------------------------------------------

STOP_REASONS: dict[str, str] = {"disposed": "deleted or anonymised", "term_changed": "the term changed",
                                "instruction": "the customer's deletion instruction or contract end"}


@dataclass(frozen=True)
class TermChange:
    """One entry of customer_changes for `<category>.retention_days`, on its Stockholm date. old_days
    None: the first term (set when the customer or the category's term was added), not a change."""

    changed_on: date
    old_days: int | None
    new_days: int | None


@dataclass(frozen=True)
class TermPeriod:
    """A term in force from valid_from (inclusive; None: since the processing began) to valid_to
    (exclusive; None: in force now). retention_days None: no usable term then."""

    valid_from: date | None
    valid_to: date | None
    retention_days: int | None


@dataclass(frozen=True)
class BacklogStretch:
    """Days [start_on, stop_on) a record spends in the backlog (stop_on None: still there).
    episode_start_on: when this unbroken lateness began (earlier than start_on when it carried on across
    a change). stop_reason: a key of STOP_REASONS, None while it lasts."""

    start_on: date
    stop_on: date | None
    episode_start_on: date
    stop_reason: str | None


def term_periods(current_days: int | None, changes: Iterable[TermChange]) -> tuple[TermPeriod, ...]:
    """The periods of one customer's term for one category, from its change log in the order the changes
    were made and its current term. Only a change from one term to another starts a period (first terms
    apply since the processing began); several changes on one day make one change, the day's last term."""
    by_day: dict[date, tuple[int | None, int | None]] = {}
    for change in sorted((c for c in changes if c.old_days is not None), key=lambda c: c.changed_on):
        first_old = by_day[change.changed_on][0] if change.changed_on in by_day else change.old_days
        by_day[change.changed_on] = (first_old, change.new_days)
    days = sorted(by_day)
    if not days:
        return (TermPeriod(None, None, current_days),)
    periods = [TermPeriod(None, days[0], by_day[days[0]][0])]
    for i, day in enumerate(days):
        following = days[i + 1] if i + 1 < len(days) else None
        # The period in force now takes today's term (customer_retention_terms is the authority).
        periods.append(TermPeriod(day, following, by_day[day][1] if following else current_days))
    return tuple(periods)


def disposal_due_from(deletion_instructed_on: date | None, contract_ended_on: date | None,
                      created_on: date) -> date | None:
    """The day a customer's deletion instruction or contract end makes a record due (Art. 28(3)(g)):
    the earlier of the two, never before the record was created. None: neither is recorded."""
    given = [d for d in (deletion_instructed_on, contract_ended_on) if d is not None]
    return max(min(given), created_on) if given else None


_STOP_ORDER = {"disposed": 0, "instruction": 1, "term_changed": 2}  # on one day, disposal is what happened


def backlog_stretches(last_used_on: date, periods: Sequence[TermPeriod], *, explicit_end: date | None = None,
                      disposal_from: date | None = None, disposed_on: date | None = None) -> list[BacklogStretch]:
    """Every stretch a record spends in the backlog: under each term period from the later of last use +
    that term and the period's first day, until the period ends, the customer's disposal day or the
    record's disposal; from the customer's disposal day until disposal. A source system's end date
    (explicit_end) replaces the terms."""
    if explicit_end is not None:
        starts = [(explicit_end, None)]
    else:
        starts = []
        for period in periods:
            if period.retention_days is None:
                continue
            own = last_used_on + timedelta(days=period.retention_days)
            starts.append((max(own, period.valid_from) if period.valid_from else own, period.valid_to))
    raw: list[tuple[date, date | None, str | None]] = []
    for start, valid_to in starts:
        stops = [(d, _STOP_ORDER[r], r) for d, r in ((valid_to, "term_changed"), (disposal_from, "instruction"),
                                                       (disposed_on, "disposed")) if d is not None]
        stop, _, reason = min(stops) if stops else (None, 0, None)
        if stop is None or start < stop:
            raw.append((start, stop, reason))
    if disposal_from is not None and (disposed_on is None or disposal_from < disposed_on):
        raw.append((disposal_from, disposed_on, "disposed" if disposed_on else None))
    stretches: list[BacklogStretch] = []
    for start, stop, reason in sorted(raw, key=lambda r: r[0]):
        before = stretches[-1] if stretches else None
        carried = before is not None and before.stop_on == start and before.stop_reason != "disposed"
        stretches.append(BacklogStretch(start, stop, before.episode_start_on if carried and before else start,
                                        reason))
    return stretches


def effective_end(last_used_on: date, periods: Sequence[TermPeriod], *, explicit_end: date | None = None,
                  disposal_from: date | None = None) -> date | None:
    """The end of retention under the instructions in force now: the day the record's current lateness
    began, or begins (None: no term and no disposal day). Worked example (rules.md 4): last used
    2025-01-01, term 365 days shortened to 30 on 2025-06-30: the end is 2025-06-30, not 2025-01-31."""
    open_ended = [s for s in backlog_stretches(last_used_on, periods, explicit_end=explicit_end,
                                               disposal_from=disposal_from) if s.stop_on is None]
    return open_ended[0].episode_start_on if open_ended else None


def in_backlog_on(stretches: Iterable[BacklogStretch], day: date) -> bool:
    """Whether a record with these stretches is in the backlog on `day`."""
    return any(s.start_on <= day and (s.stop_on is None or day < s.stop_on) for s in stretches)
