"""The Swedish calendar the deadlines count in (docs/rules.md, section 1), its days named in English.

Pure functions only: no database, no I/O.

* Regulation (EEC, Euratom) No 1182/71 Art. 3(4): a period ending on a Saturday, Sunday or public
  holiday ends on the next working day.
* Lag (1989:253) om allmänna helgdagar: the 13 Swedish public holidays (Whit Monday removed 2005).
* Lag (1930:173) om beräkning av lagstadgad tid, 2 §: Midsummer Eve, Christmas Eve and New Year's Eve
  treated like Saturdays, only with ``eves_are_holidays=True`` (the DPO's setting; see deadlines).

`privacyops.rules.deadlines` counts periods over these days; `deadline_words` explains them.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

import holidays

__all__ = ["MONTH_NAMES", "english_date", "is_working_day", "non_working_reason", "public_holidays",
           "roll_to_working_day"]

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")

# The `holidays` package's Swedish names -> (English name, name in lag 1989:253).
_PUBLIC_NAMES: dict[str, tuple[str, str]] = {
    "Nyårsdagen": ("New Year's Day", "nyårsdagen"),
    "Trettondedag jul": ("Epiphany", "trettondedag jul"),
    "Långfredagen": ("Good Friday", "långfredagen"),
    "Påskdagen": ("Easter Sunday", "påskdagen"),
    "Annandag påsk": ("Easter Monday", "annandag påsk"),
    "Första maj": ("May Day", "första maj"),
    "Kristi himmelsfärdsdag": ("Ascension Day", "Kristi himmelsfärdsdag"),
    "Pingstdagen": ("Whit Sunday", "pingstdagen"),
    # Only a public holiday up to and including 2004; checked against the year below.
    "Annandag pingst": ("Whit Monday", "annandag pingst"),
    "Nationaldagen": ("National Day", "Sveriges nationaldag"),
    "Sveriges nationaldag": ("National Day", "Sveriges nationaldag"),
    "Midsommardagen": ("Midsummer Day", "midsommardagen"),
    "Alla helgons dag": ("All Saints' Day", "alla helgons dag"),
    "Juldagen": ("Christmas Day", "juldagen"),
    "Annandag jul": ("Boxing Day", "annandag jul"),
}
# The three eves of lag 1930:173, 2 § (the package's "de_facto" category).
_EVE_NAMES: dict[str, tuple[str, str]] = {
    "Midsommarafton": ("Midsummer Eve", "midsommarafton"),
    "Julafton": ("Christmas Eve", "julafton"),
    "Nyårsafton": ("New Year's Eve", "nyårsafton"),
}
# Labels the package uses for ordinary Sundays (Sweden(include_sundays=True)); never holidays here.
_SUNDAY_LABELS = frozenset({"Söndag", "Sunday"})
_WHIT_MONDAY_LAST_YEAR = 2004  # removed from lag 1989:253 by SFS 2004:1320 from 2005


def english_date(day: date, *, weekday: bool = True, year: bool = True) -> str:
    """Format a date as e.g. "Monday 7 April 2025" (no leading zeros, locale independent)."""
    text = f"{day.day} {MONTH_NAMES[day.month]}"
    if year:
        text += f" {day.year}"
    if weekday:
        text = f"{_WEEKDAYS[day.weekday()]} {text}"
    return text



@functools.lru_cache(maxsize=256)
def _holiday_table(
    year: int, eves_are_holidays: bool
) -> Mapping[date, tuple[tuple[str, str, bool], ...]]:
    """Cached, read-only holidays of one year: {day: ((english, swedish, is_eve), ...)}.

    Built from the `holidays` package with ``include_sundays=False``, the "public" category and,
    when asked, the "de_facto" category (the eves). Ordinary Sundays are dropped even if a
    package version lists them, and any name not in lag 1989:253 (or 1930:173, 2 §) is an error
    rather than a silently different deadline.
    """
    categories: tuple[str, ...] = (
        ("public", "de_facto") if eves_are_holidays else ("public",)
    )
    calendar_se = holidays.SE(
        years=year, include_sundays=False, language="sv", categories=categories
    )
    table: dict[date, list[tuple[str, str, bool]]] = {}
    for day in sorted(calendar_se):
        for label in calendar_se.get_list(day):
            label = label.strip()
            if label in _SUNDAY_LABELS:
                continue
            if label in _PUBLIC_NAMES:
                if label == "Annandag pingst" and year > _WHIT_MONDAY_LAST_YEAR:
                    continue
                english, swedish = _PUBLIC_NAMES[label]
                table.setdefault(day, []).append((english, swedish, False))
            elif label in _EVE_NAMES:
                if eves_are_holidays:
                    english, swedish = _EVE_NAMES[label]
                    table.setdefault(day, []).append((english, swedish, True))
            else:
                raise RuntimeError(
                    f"unexpected Swedish holiday {label!r} on {day} from the holidays package; "
                    "check the package version against lag (1989:253)"
                )
    return MappingProxyType({day: tuple(names) for day, names in sorted(table.items())})


def public_holidays(year: int, *, eves_are_holidays: bool = False) -> dict[date, str]:
    """Return the Swedish public holidays of ``year`` as {date: "English (Swedish)"}.

    These are the 13 days of lag (1989:253) om allmänna helgdagar, which count as "public
    holidays" for Regulation 1182/71 Art. 3(4): New Year's Day, Epiphany, Good Friday, Easter
    Sunday, Easter Monday, 1 May, Ascension Day, Whit Sunday, National Day, Midsummer Day, All
    Saints' Day, Christmas Day and Boxing Day (Whit Monday only up to 2004). Ordinary Sundays are
    not included. With ``eves_are_holidays=True`` Midsummer Eve, Christmas Eve and New Year's Eve
    are added (lag 1930:173, 2 §). Two holidays on one date are joined with "; ".
    The result is a fresh dict; the underlying table is cached per (year, eves flag).
    """
    return {
        day: "; ".join(f"{english} ({swedish})" for english, swedish, _ in names)
        for day, names in _holiday_table(year, eves_are_holidays).items()
    }


def non_working_reason(day: date, *, eves_are_holidays: bool = False) -> str | None:
    """Say why ``day`` is not a working day under Regulation 1182/71 Art. 3(4), or None.

    A public holiday (lag 1989:253) is named first, e.g. "Good Friday (a public holiday)", then
    weekends ("a Saturday", "a Sunday"). With ``eves_are_holidays=True`` the eves of lag
    1930:173, 2 § give e.g. "Christmas Eve (treated as a holiday by the setting)".
    """
    names = _holiday_table(day.year, eves_are_holidays).get(day)
    if names:
        holidays_here = [english for english, _, is_eve in names if not is_eve]
        eves_here = [english for english, _, is_eve in names if is_eve]
        parts = []
        if holidays_here:
            kind = "a public holiday" if len(holidays_here) == 1 else "public holidays"
            parts.append(f"{' and '.join(holidays_here)} ({kind})")
        if eves_here:
            parts.append(
                f"{' and '.join(eves_here)} (treated as a holiday by the setting)"
            )
        return " and ".join(parts)
    if day.weekday() == calendar.SATURDAY:
        return "a Saturday"
    if day.weekday() == calendar.SUNDAY:
        return "a Sunday"
    return None


def is_working_day(day: date, *, eves_are_holidays: bool = False) -> bool:
    """True unless ``day`` is a Saturday, Sunday or public holiday (Regulation 1182/71 Art. 3(4);
    lag 1989:253; the eves of lag 1930:173, 2 § only with ``eves_are_holidays=True``)."""
    return non_working_reason(day, eves_are_holidays=eves_are_holidays) is None


def roll_to_working_day(day: date, *, eves_are_holidays: bool = False) -> date:
    """Return ``day`` if it is a working day, else the next working day.

    Regulation 1182/71 Art. 3(4): a period whose last day is a Saturday, Sunday or public holiday
    ends with the expiry of the following working day; applied repeatedly over chains such as
    Good Friday -> Easter Monday.
    """
    while not is_working_day(day, eves_are_holidays=eves_are_holidays):
        day += timedelta(days=1)
    return day
