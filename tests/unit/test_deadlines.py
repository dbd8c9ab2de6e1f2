"""Unit tests for privacyops.rules.deadlines, swedish_calendar and deadline_words (docs/rules.md, section 1).

Every expected date below was worked out by hand from a calendar (weekday of 1 January of the
year, month lengths, Easter dates), not by running the code under test. Handy anchors:
1 Jan 2024 Monday (leap), 1 Jan 2025 Wednesday, 1 Jan 2026 Thursday, 1 Jan 2027 Friday,
1 Jan 2028 Saturday (leap). Easter Sunday: 31 Mar 2024, 20 Apr 2025, 5 Apr 2026.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from privacyops.rules.deadline_words import explain_due_date
from privacyops.rules.deadlines import (
    STOCKHOLM,
    add_months,
    answer_by_date,
    days_left,
    due_date,
    extended_due_date,
    extension_allowed,
    forward_due_date,
    is_answered_on_time,
    pause_moves_deadline,
    paused_days,
    paused_due_date,
    stockholm_date,
)
from privacyops.rules.swedish_calendar import (
    is_working_day,
    non_working_reason,
    public_holidays,
    roll_to_working_day,
)

D = date

# --------------------------------------------------------------------------------------------
# The three worked examples of rules.md: received -> due -> extended.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due", "extended"),
    [
        # 5 Apr 2025 is a Saturday -> Mon 7 Apr; 5 Jun 2025 is a Thursday.
        (D(2025, 3, 5), D(2025, 4, 7), D(2025, 6, 5)),
        # 28 Feb 2026 is a Saturday, 1 Mar a Sunday -> Mon 2 Mar; 31 Apr missing -> Thu 30 Apr.
        (D(2026, 1, 31), D(2026, 3, 2), D(2026, 4, 30)),
        # 3 Apr 2026 Good Friday, 4 Sat, 5 Easter Sunday, 6 Easter Monday -> Tue 7 Apr;
        # 3 Jun 2026 is a Wednesday.
        (D(2026, 3, 3), D(2026, 4, 7), D(2026, 6, 3)),
    ],
)
def test_rules_examples(received: date, due: date, extended: date) -> None:
    assert due_date(received) == due
    assert extended_due_date(received) == extended
    # The setting for the eves changes none of these.
    assert due_date(received, eves_are_holidays=True) == due
    assert extended_due_date(received, eves_are_holidays=True) == extended


def test_extended_is_counted_from_receipt_not_from_first_due_date() -> None:
    # From the rolled due date (7 Apr 2025) two months would give 7 Jun 2025; from receipt it
    # is 5 Jun 2025.
    assert extended_due_date(D(2025, 3, 5)) == D(2025, 6, 5)
    # From 2 Mar 2026 two months would be 2 May; from 31 Jan three months is 30 Apr.
    assert extended_due_date(D(2026, 1, 31)) == D(2026, 4, 30)


# --------------------------------------------------------------------------------------------
# add_months: Art. 3(2)(c), last day of the month when the date is missing.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2025, 3, 5), 1, D(2025, 4, 5)),
        (D(2025, 3, 5), 0, D(2025, 3, 5)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2025, 1, 30), 1, D(2025, 2, 28)),
        (D(2025, 1, 29), 1, D(2025, 2, 28)),
        (D(2025, 1, 28), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 1, 30), 1, D(2024, 2, 29)),
        (D(2024, 1, 29), 1, D(2024, 2, 29)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2024, 2, 29), 1, D(2024, 3, 29)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2025, 3, 31), 1, D(2025, 4, 30)),
        (D(2025, 5, 31), 1, D(2025, 6, 30)),
        (D(2025, 8, 31), 1, D(2025, 9, 30)),
        (D(2025, 10, 31), 1, D(2025, 11, 30)),
        (D(2025, 12, 15), 1, D(2026, 1, 15)),
        (D(2025, 12, 31), 1, D(2026, 1, 31)),
        (D(2025, 10, 31), 3, D(2026, 1, 31)),
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
        (D(2026, 1, 31), 3, D(2026, 4, 30)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),
        (D(2025, 1, 15), -1, D(2024, 12, 15)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    "day", [D(2025, 1, 31), D(2025, 3, 31), D(2025, 5, 31), D(2025, 8, 31)]
)
def test_add_months_never_rolls_into_next_month(day: date) -> None:
    assert add_months(day, 1).month == day.month % 12 + 1


# --------------------------------------------------------------------------------------------
# Month ends and leap years: due and extended dates.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due", "extended"),
    [
        # 28 Feb 2025 Friday; 30 Apr 2025 Wednesday.
        (D(2025, 1, 31), D(2025, 2, 28), D(2025, 4, 30)),
        (D(2025, 1, 30), D(2025, 2, 28), D(2025, 4, 30)),
        (D(2025, 1, 29), D(2025, 2, 28), D(2025, 4, 29)),
        # Leap years: 29 Feb 2024 Thursday, 30 Apr 2024 Tuesday.
        (D(2024, 1, 31), D(2024, 2, 29), D(2024, 4, 30)),
        (D(2024, 1, 30), D(2024, 2, 29), D(2024, 4, 30)),
        # 29 Feb 2028 Tuesday; 30 Apr 2028 Sunday, 1 May (May Day) Monday -> Tue 2 May 2028.
        (D(2028, 1, 31), D(2028, 2, 29), D(2028, 5, 2)),
        # 29 Feb 2026 missing -> Sat 28 Feb -> Mon 2 Mar.
        (D(2026, 1, 29), D(2026, 3, 2), D(2026, 4, 29)),
        # 31 into 30-day months. 30 Jun 2025 Monday; 31 Aug 2025 Sunday -> Mon 1 Sep.
        (D(2025, 5, 31), D(2025, 6, 30), D(2025, 9, 1)),
        # 30 Sep 2025 Tuesday; 30 Nov 2025 Sunday -> Mon 1 Dec.
        (D(2025, 8, 31), D(2025, 9, 30), D(2025, 12, 1)),
        # 30 Nov 2025 Sunday -> Mon 1 Dec; 31 Jan 2026 Saturday -> Mon 2 Feb.
        (D(2025, 10, 31), D(2025, 12, 1), D(2026, 2, 2)),
        # 31 Jan 2026 Saturday -> Mon 2 Feb; 31 Mar 2026 Tuesday.
        (D(2025, 12, 31), D(2026, 2, 2), D(2026, 3, 31)),
        # 30 Apr 2026 Thursday; 30 Jun 2026 Tuesday.
        (D(2026, 3, 31), D(2026, 4, 30), D(2026, 6, 30)),
        # 30 Sep 2026 Wednesday.
        (D(2026, 8, 31), D(2026, 9, 30), D(2026, 11, 30)),
    ],
)
def test_month_ends(received: date, due: date, extended: date) -> None:
    assert due_date(received) == due
    assert extended_due_date(received) == extended


def test_missing_date_is_not_rolled_to_first_of_next_month() -> None:
    # The outdated convention would give 1 March 2028 (a Wednesday); the rule gives 29 Feb.
    assert due_date(D(2028, 1, 31)) == D(2028, 2, 29)
    assert due_date(D(2025, 1, 31)) == D(2025, 2, 28)


# --------------------------------------------------------------------------------------------
# Swedish public holidays (lag 1989:253).
# --------------------------------------------------------------------------------------------

HOLIDAYS_2024 = {
    D(2024, 1, 1),  # New Year's Day
    D(2024, 1, 6),  # Epiphany
    D(2024, 3, 29),  # Good Friday
    D(2024, 3, 31),  # Easter Sunday
    D(2024, 4, 1),  # Easter Monday
    D(2024, 5, 1),  # 1 May
    D(2024, 5, 9),  # Ascension Day (Easter + 39)
    D(2024, 5, 19),  # Whit Sunday (Easter + 49)
    D(2024, 6, 6),  # National Day
    D(2024, 6, 22),  # Midsummer Day (Saturday 20-26 June)
    D(2024, 11, 2),  # All Saints' Day (Saturday 31 Oct - 6 Nov)
    D(2024, 12, 25),  # Christmas Day
    D(2024, 12, 26),  # Boxing Day
}
HOLIDAYS_2025 = {
    D(2025, 1, 1),
    D(2025, 1, 6),
    D(2025, 4, 18),
    D(2025, 4, 20),
    D(2025, 4, 21),
    D(2025, 5, 1),
    D(2025, 5, 29),
    D(2025, 6, 8),
    D(2025, 6, 6),
    D(2025, 6, 21),
    D(2025, 11, 1),
    D(2025, 12, 25),
    D(2025, 12, 26),
}
HOLIDAYS_2026 = {
    D(2026, 1, 1),
    D(2026, 1, 6),
    D(2026, 4, 3),
    D(2026, 4, 5),
    D(2026, 4, 6),
    D(2026, 5, 1),
    D(2026, 5, 14),
    D(2026, 5, 24),
    D(2026, 6, 6),
    D(2026, 6, 20),
    D(2026, 10, 31),
    D(2026, 12, 25),
    D(2026, 12, 26),
}
EVES = {
    2025: {D(2025, 6, 20), D(2025, 12, 24), D(2025, 12, 31)},
    2026: {D(2026, 6, 19), D(2026, 12, 24), D(2026, 12, 31)},
}


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2024, HOLIDAYS_2024), (2025, HOLIDAYS_2025), (2026, HOLIDAYS_2026)],
)
def test_public_holidays_are_exactly_the_13(year: int, expected: set[date]) -> None:
    result = public_holidays(year)
    assert len(expected) == 13
    assert set(result) == expected


@pytest.mark.parametrize("year", [2025, 2026])
def test_public_holidays_with_eves(year: int) -> None:
    base = {2025: HOLIDAYS_2025, 2026: HOLIDAYS_2026}[year]
    assert set(public_holidays(year, eves_are_holidays=True)) == base | EVES[year]


def test_no_ordinary_sundays_in_holidays() -> None:
    for year in (2024, 2025, 2026, 2027):
        sundays = [d for d in public_holidays(year) if d.weekday() == 6]
        names = " ".join(public_holidays(year)[d] for d in sundays)
        # Only Easter Sunday and Whit Sunday, plus fixed-date holidays that happen to be Sundays.
        assert len(sundays) <= 4
        assert "Sunday" not in names.replace("Easter Sunday", "").replace(
            "Whit Sunday", ""
        )


def test_sundays_from_the_package_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    # Some versions of the `holidays` package list every Sunday for Sweden; simulate that.
    import holidays

    from privacyops.rules import swedish_calendar
    real_se = holidays.SE

    def se_with_sundays(*args: object, **kwargs: object) -> holidays.HolidayBase:
        kwargs["include_sundays"] = True
        return real_se(*args, **kwargs)

    monkeypatch.setattr(swedish_calendar.holidays, "SE", se_with_sundays)
    swedish_calendar._holiday_table.cache_clear()
    try:
        assert set(public_holidays(2026)) == HOLIDAYS_2026
        assert non_working_reason(D(2026, 4, 5)) == "Easter Sunday (a public holiday)"
        assert non_working_reason(D(2026, 4, 12)) == "a Sunday"
    finally:
        monkeypatch.undo()
        swedish_calendar._holiday_table.cache_clear()


def test_holiday_names_are_english_and_swedish() -> None:
    names = public_holidays(2026)
    assert "Good Friday" in names[D(2026, 4, 3)]
    assert "långfredagen" in names[D(2026, 4, 3)]
    assert "Whit Sunday" in names[D(2026, 5, 24)]
    assert "Midsummer Day" in names[D(2026, 6, 20)]
    assert "All Saints' Day" in names[D(2026, 10, 31)]
    assert "Boxing Day" in names[D(2026, 12, 26)]
    assert (
        "Christmas Eve"
        in public_holidays(2026, eves_are_holidays=True)[D(2026, 12, 24)]
    )


def test_public_holidays_returns_a_fresh_dict() -> None:
    first = public_holidays(2026)
    first.clear()
    assert len(public_holidays(2026)) == 13


@pytest.mark.parametrize("day", sorted(HOLIDAYS_2025 | HOLIDAYS_2026))
def test_every_public_holiday_is_not_a_working_day(day: date) -> None:
    assert not is_working_day(day)
    assert "(a public holiday)" in (non_working_reason(day) or "")


@pytest.mark.parametrize(
    "day",
    [
        D(2024, 5, 20),  # Whit Monday 2024
        D(2025, 6, 9),  # Whit Monday 2025
        D(2026, 5, 25),  # Whit Monday 2026
        D(2026, 4, 2),  # Maundy Thursday
        D(2026, 4, 30),  # Walpurgis Night
        D(2026, 5, 15),  # day after Ascension ("squeeze day")
        D(2026, 10, 30),  # All Saints' Eve (Friday)
        D(2026, 1, 5),  # Twelfth Night
    ],
)
def test_not_holidays_are_working_days(day: date) -> None:
    assert is_working_day(day)
    assert is_working_day(day, eves_are_holidays=True)


def test_whit_monday_was_a_holiday_before_2005() -> None:
    # Easter 2004 was 11 April, so Whit Monday was 31 May 2004.
    assert not is_working_day(D(2004, 5, 31))
    assert "Whit Monday" in (non_working_reason(D(2004, 5, 31)) or "")


@pytest.mark.parametrize(
    ("day", "eves", "reason"),
    [
        (D(2025, 4, 5), False, "a Saturday"),
        (D(2025, 4, 6), False, "a Sunday"),
        (D(2025, 4, 7), False, None),
        (D(2026, 4, 3), False, "Good Friday (a public holiday)"),
        (D(2026, 4, 5), False, "Easter Sunday (a public holiday)"),
        (D(2026, 4, 6), False, "Easter Monday (a public holiday)"),
        (D(2026, 6, 6), False, "National Day (a public holiday)"),  # a Saturday
        (D(2026, 4, 4), True, "a Saturday"),  # Holy Saturday is not an eve of 1930:173
        (D(2026, 12, 24), False, None),
        (D(2026, 12, 24), True, "Christmas Eve (treated as a holiday by the setting)"),
        (D(2026, 6, 19), False, None),
        (D(2026, 6, 19), True, "Midsummer Eve (treated as a holiday by the setting)"),
        (D(2025, 12, 31), False, None),
        (D(2025, 12, 31), True, "New Year's Eve (treated as a holiday by the setting)"),
    ],
)
def test_non_working_reason(day: date, eves: bool, reason: str | None) -> None:
    assert non_working_reason(day, eves_are_holidays=eves) == reason
    assert is_working_day(day, eves_are_holidays=eves) is (reason is None)


def test_two_holidays_on_one_day() -> None:
    # Easter 2008 was 23 March, so Ascension Day fell on 1 May 2008.
    reason = non_working_reason(D(2008, 5, 1)) or ""
    assert "May Day" in reason and "Ascension Day" in reason


# --------------------------------------------------------------------------------------------
# Rolling over chains of non-working days (Art. 3(4)).
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "eves", "expected"),
    [
        (D(2025, 4, 7), False, D(2025, 4, 7)),
        (D(2025, 4, 5), False, D(2025, 4, 7)),
        (D(2026, 4, 3), False, D(2026, 4, 7)),  # Easter
        (D(2025, 4, 18), False, D(2025, 4, 22)),  # Easter 2025
        (D(2025, 12, 25), False, D(2025, 12, 29)),  # Thu, Fri, Sat, Sun
        (D(2026, 12, 25), False, D(2026, 12, 28)),  # Fri, Sat, Sun
        (D(2027, 1, 1), False, D(2027, 1, 4)),  # New Year's Day Friday + weekend
        (D(2026, 12, 31), False, D(2026, 12, 31)),
        (D(2026, 12, 31), True, D(2027, 1, 4)),  # New Year's Eve + New Year + weekend
        (D(2025, 12, 31), True, D(2026, 1, 2)),
        (D(2026, 6, 19), True, D(2026, 6, 22)),  # Midsummer Eve, Day, Sunday
    ],
)
def test_roll_to_working_day(day: date, eves: bool, expected: date) -> None:
    assert roll_to_working_day(day, eves_are_holidays=eves) == expected


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (
            D(2025, 3, 18),
            D(2025, 4, 22),
        ),  # Good Friday 18 Apr 2025 .. Easter Monday 21 Apr
        (D(2025, 11, 25), D(2025, 12, 29)),  # Christmas Thu 25, Boxing Fri 26, weekend
        (D(2026, 11, 25), D(2026, 12, 28)),  # Christmas Fri 25, Boxing Sat 26, Sun 27
        (D(2026, 12, 1), D(2027, 1, 4)),  # New Year's Day Fri 1 Jan 2027, weekend
        (D(2025, 12, 1), D(2026, 1, 2)),  # New Year's Day Thu 1 Jan 2026 -> Fri 2 Jan
        (D(2025, 12, 6), D(2026, 1, 7)),  # Epiphany Tue 6 Jan 2026
        (D(2026, 4, 1), D(2026, 5, 4)),  # May Day Fri 1 May 2026, weekend
        (D(2026, 4, 14), D(2026, 5, 15)),  # Ascension Thu 14 May 2026
        (
            D(2026, 4, 24),
            D(2026, 5, 25),
        ),  # Whit Sunday 24 May -> Whit Monday is working
        (
            D(2025, 5, 6),
            D(2025, 6, 9),
        ),  # National Day Fri 6 Jun, Sat, Whit Sunday 8 Jun
        (D(2026, 5, 20), D(2026, 6, 22)),  # Midsummer Day Sat 20 Jun, Sun 21
        (D(2026, 10, 1), D(2026, 11, 2)),  # 1 Nov 2026 Sunday (All Saints' was 31 Oct)
        (D(2026, 9, 30), D(2026, 10, 30)),  # All Saints' Eve (Fri) is a working day
        (D(2026, 3, 2), D(2026, 4, 2)),  # Maundy Thursday is a working day
    ],
)
def test_due_date_over_holiday_chains(received: date, due: date) -> None:
    assert due_date(received) == due


# --------------------------------------------------------------------------------------------
# The receipt day need not be a working day (Art. 3(1)).
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2025, 4, 6), D(2025, 5, 6)),  # Sunday -> Tuesday 6 May 2025
        (D(2025, 4, 5), D(2025, 5, 5)),  # Saturday -> Monday 5 May 2025
        (D(2026, 4, 6), D(2026, 5, 6)),  # Easter Monday -> Wednesday 6 May 2026
        (
            D(2025, 12, 25),
            D(2026, 1, 26),
        ),  # Christmas Day -> 25 Jan 2026 Sunday -> Mon 26
        (D(2026, 6, 6), D(2026, 7, 6)),  # National Day (Saturday) -> Monday 6 July 2026
    ],
)
def test_receipt_on_weekend_or_holiday(received: date, due: date) -> None:
    assert due_date(received) == due


# --------------------------------------------------------------------------------------------
# The eves setting (lag 1930:173, 2 §), both ways.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due_default", "due_eves"),
    [
        # Christmas Eve 2026 is a Thursday; then Christmas Fri, Boxing Sat, Sunday -> Mon 28.
        (D(2026, 11, 24), D(2026, 12, 24), D(2026, 12, 28)),
        # Christmas Eve 2025 is a Wednesday; Christmas Thu, Boxing Fri, weekend -> Mon 29.
        (D(2025, 11, 24), D(2025, 12, 24), D(2025, 12, 29)),
        # Midsummer Eve 2026 Fri 19 June; Midsummer Day Sat 20; Sun 21 -> Mon 22.
        (D(2026, 5, 19), D(2026, 6, 19), D(2026, 6, 22)),
        # Midsummer Eve 2025 Fri 20 June -> Mon 23 June.
        (D(2025, 5, 20), D(2025, 6, 20), D(2025, 6, 23)),
    ],
)
def test_eves_setting(received: date, due_default: date, due_eves: date) -> None:
    assert due_date(received) == due_default
    assert due_date(received, eves_are_holidays=False) == due_default
    assert due_date(received, eves_are_holidays=True) == due_eves


def test_eves_setting_for_extended_date() -> None:
    # Three months after 24 Sep 2026 is Christmas Eve 2026 (Thursday).
    assert extended_due_date(D(2026, 9, 24)) == D(2026, 12, 24)
    assert extended_due_date(D(2026, 9, 24), eves_are_holidays=True) == D(2026, 12, 28)


# --------------------------------------------------------------------------------------------
# Stockholm date of receipt.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (D(2025, 3, 31), D(2025, 3, 31)),
        # CEST (UTC+2) since 30 Mar 2025: 22:30Z is 00:30 on 1 April.
        (datetime(2025, 3, 31, 22, 30, tzinfo=UTC), D(2025, 4, 1)),
        (datetime(2025, 3, 31, 21, 59, tzinfo=UTC), D(2025, 3, 31)),
        # CET (UTC+1) in winter: 23:30Z is 00:30 on 1 February.
        (datetime(2025, 1, 31, 23, 30, tzinfo=UTC), D(2025, 2, 1)),
        (datetime(2025, 1, 31, 22, 59, tzinfo=UTC), D(2025, 1, 31)),
        # Around the DST changes (30 Mar and 26 Oct 2025, 01:00 UTC).
        (datetime(2025, 3, 29, 23, 30, tzinfo=UTC), D(2025, 3, 30)),
        (datetime(2025, 3, 30, 22, 30, tzinfo=UTC), D(2025, 3, 31)),
        (datetime(2025, 10, 25, 22, 30, tzinfo=UTC), D(2025, 10, 26)),
        (datetime(2025, 10, 26, 22, 30, tzinfo=UTC), D(2025, 10, 26)),
        (datetime(2025, 10, 26, 23, 0, tzinfo=UTC), D(2025, 10, 27)),
        # 18:00 EDT (UTC-4) on 31 Mar is 22:00Z, i.e. midnight 1 April in Stockholm.
        (
            datetime(2025, 3, 31, 18, 0, tzinfo=ZoneInfo("America/New_York")),
            D(2025, 4, 1),
        ),
        (datetime(2025, 4, 1, 0, 5, tzinfo=STOCKHOLM), D(2025, 4, 1)),
    ],
)
def test_stockholm_date(received: date | datetime, expected: date) -> None:
    assert stockholm_date(received) == expected


def test_naive_datetime_raises() -> None:
    naive = datetime(2025, 3, 31, 22, 30)
    with pytest.raises(ValueError, match="timezone-aware"):
        stockholm_date(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        due_date(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        forward_due_date(naive, 2)


@pytest.mark.parametrize(
    ("received", "due", "extended"),
    [
        # Stockholm 1 Apr 2025 -> 1 May (Thu, May Day) -> Fri 2 May; 1 Jul 2025 Tuesday.
        # (The UTC date, 31 March, would wrongly give Wed 30 April.)
        (datetime(2025, 3, 31, 22, 30, tzinfo=UTC), D(2025, 5, 2), D(2025, 7, 1)),
        (datetime(2025, 3, 31, 21, 59, tzinfo=UTC), D(2025, 4, 30), D(2025, 6, 30)),
        # Stockholm 1 Feb 2025 -> 1 Mar (Sat) -> Mon 3 Mar; 1 May (May Day Thu) -> Fri 2 May.
        # (The UTC date, 31 January, would give Fri 28 Feb.)
        (datetime(2025, 1, 31, 23, 30, tzinfo=UTC), D(2025, 3, 3), D(2025, 5, 2)),
        (datetime(2025, 1, 31, 22, 59, tzinfo=UTC), D(2025, 2, 28), D(2025, 4, 30)),
    ],
)
def test_due_dates_use_stockholm_time(
    received: datetime, due: date, extended: date
) -> None:
    assert due_date(received) == due
    assert extended_due_date(received) == extended


# --------------------------------------------------------------------------------------------
# Processor's forwarding deadline (working days after receipt).
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "working_days", "eves", "expected"),
    [
        (D(2025, 3, 7), 2, False, D(2025, 3, 11)),  # Friday + 2 -> Tuesday
        (D(2025, 3, 7), 1, False, D(2025, 3, 10)),  # Friday + 1 -> Monday
        (D(2025, 3, 7), 0, False, D(2025, 3, 7)),
        (D(2025, 3, 5), 2, False, D(2025, 3, 7)),  # Wednesday + 2 -> Friday
        (D(2025, 3, 5), 5, False, D(2025, 3, 12)),
        (D(2026, 4, 2), 1, False, D(2026, 4, 7)),  # Maundy Thursday + 1 over Easter
        (D(2026, 4, 2), 2, False, D(2026, 4, 8)),
        (D(2026, 4, 1), 2, False, D(2026, 4, 7)),  # Thu 2 Apr, then Tue 7 Apr
        (D(2026, 4, 4), 0, False, D(2026, 4, 4)),  # 0: the (non-working) receipt day
        (D(2026, 4, 4), 1, False, D(2026, 4, 7)),
        (D(2025, 5, 28), 1, False, D(2025, 5, 30)),  # over Ascension Thu 29 May 2025
        (D(2026, 12, 23), 1, False, D(2026, 12, 24)),
        (D(2026, 12, 23), 1, True, D(2026, 12, 28)),
        (D(2026, 12, 30), 1, False, D(2026, 12, 31)),
        (D(2026, 12, 30), 1, True, D(2027, 1, 4)),
        (D(2026, 12, 30), 2, False, D(2027, 1, 4)),
        (D(2026, 12, 30), 2, True, D(2027, 1, 5)),
        # Thursday 23:30Z is Friday 00:30 in Stockholm -> + 1 -> Monday 10 March.
        (datetime(2025, 3, 6, 23, 30, tzinfo=UTC), 1, False, D(2025, 3, 10)),
    ],
)
def test_forward_due_date(
    received: date | datetime, working_days: int, eves: bool, expected: date
) -> None:
    assert forward_due_date(received, working_days, eves_are_holidays=eves) == expected


def test_forward_due_date_rejects_negative() -> None:
    with pytest.raises(ValueError):
        forward_due_date(D(2025, 3, 7), -1)


# --------------------------------------------------------------------------------------------
# Pauses.
# --------------------------------------------------------------------------------------------

TODAY = D(2025, 3, 25)


@pytest.mark.parametrize(
    ("pauses", "expected"),
    [
        ([], 0),
        ([(D(2025, 3, 10), D(2025, 3, 15))], 5),
        ([(D(2025, 3, 10), D(2025, 3, 12)), (D(2025, 3, 20), D(2025, 3, 21))], 3),
        (
            [(D(2025, 3, 10), D(2025, 3, 12)), (D(2025, 3, 11), D(2025, 3, 14))],
            4,
        ),  # overlap
        (
            [(D(2025, 3, 1), D(2025, 3, 31)), (D(2025, 3, 10), D(2025, 3, 12))],
            30,
        ),  # nested
        (
            [(D(2025, 3, 1), D(2025, 3, 3)), (D(2025, 3, 3), D(2025, 3, 5))],
            4,
        ),  # touching
        (
            [(D(2025, 3, 20), D(2025, 3, 22)), (D(2025, 3, 1), D(2025, 3, 3))],
            4,
        ),  # unsorted
        ([(D(2025, 3, 10), D(2025, 3, 10))], 0),  # zero length
        ([(D(2025, 3, 20), None)], 5),  # open: 20 -> 25
        ([(D(2025, 3, 20), None), (D(2025, 3, 18), D(2025, 3, 22))], 7),  # 18 -> 25
        ([(D(2025, 3, 25), None)], 0),  # opened today
        ([(D(2025, 3, 27), None)], 0),  # opens in the future
    ],
)
def test_paused_days(pauses: list[tuple[date, date | None]], expected: int) -> None:
    assert paused_days(pauses, TODAY) == expected


def test_paused_days_rejects_end_before_start() -> None:
    with pytest.raises(ValueError):
        paused_days([(D(2025, 3, 10), D(2025, 3, 9))], TODAY)


@pytest.mark.parametrize(
    ("received", "pauses", "today", "eves", "expected"),
    [
        # Issue 8 item 7 / rules.md 1: received 5 Mar 2025, one month = Sat 5 Apr; paused 10-12 Mar:
        # 5 Apr + 2 = Mon 7 Apr (adding to the rolled 7 Apr would give 9 Apr, later than the law allows).
        (D(2025, 3, 5), [(D(2025, 3, 10), D(2025, 3, 12))], TODAY, False, D(2025, 4, 7)),
        # 7 Apr 2026 + 5 = Sun 12 Apr -> Mon 13 Apr.
        (D(2026, 3, 7), [(D(2026, 3, 10), D(2026, 3, 15))], D(2026, 4, 1), False, D(2026, 4, 13)),
        # Overlapping pauses count 4 days: 7 Apr 2025 + 4 = Fri 11 Apr.
        (D(2025, 3, 7), [(D(2025, 3, 10), D(2025, 3, 12)), (D(2025, 3, 11), D(2025, 3, 14))], TODAY, False,
         D(2025, 4, 11)),
        # Open pause of 5 days: 7 Apr 2025 + 5 = Sat 12 Apr -> Mon 14 Apr.
        (D(2025, 3, 7), [(D(2025, 3, 20), None)], TODAY, False, D(2025, 4, 14)),
        # Unrolled Good Friday 3 Apr 2026 + 3 = Easter Monday -> Tue 7 Apr (not rolled 7 Apr + 3 = 10 Apr).
        (D(2026, 3, 3), [(D(2026, 3, 4), D(2026, 3, 7))], D(2026, 3, 20), False, D(2026, 4, 7)),
        # Mon 21 Dec 2026 + 3 = Christmas Eve: stays, or Mon 28 Dec with the eves setting.
        (D(2026, 11, 21), [(D(2026, 12, 1), D(2026, 12, 4))], D(2026, 12, 10), False, D(2026, 12, 24)),
        (D(2026, 11, 21), [(D(2026, 12, 1), D(2026, 12, 4))], D(2026, 12, 10), True, D(2026, 12, 28)),
        # No pause days: the ordinary deadline.
        (D(2025, 3, 5), [], TODAY, False, D(2025, 4, 7)),
        (D(2025, 3, 5), [(D(2025, 3, 10), D(2025, 3, 10))], TODAY, False, D(2025, 4, 7)),
    ],
)
def test_paused_due_date(
    received: date,
    pauses: list[tuple[date, date | None]],
    today: date,
    eves: bool,
    expected: date,
) -> None:
    assert paused_due_date(received, pauses, today, eves_are_holidays=eves) == expected


def test_paused_extended_due_date_adds_to_the_unrolled_three_months() -> None:
    # Received 5 Mar 2025: three months = Thu 5 Jun; paused 2 days -> Sat 7 Jun -> Mon 9 Jun.
    assert paused_due_date(D(2025, 3, 5), [(D(2025, 3, 10), D(2025, 3, 12))], TODAY, months=3) == D(2025, 6, 9)


@pytest.mark.parametrize(
    ("reason", "asked_on", "moves"),
    [
        # Received Wed 5 Mar 2025: the 5th working day after it is Wed 12 Mar.
        ("identity", D(2025, 3, 12), True),
        ("identity", D(2025, 3, 13), False),
        ("identity", D(2025, 3, 5), True),
        ("clarification", D(2025, 3, 6), False),
    ],
)
def test_only_a_prompt_identity_check_moves_the_deadline(reason: str, asked_on: date, moves: bool) -> None:
    assert pause_moves_deadline(D(2025, 3, 5), reason, asked_on, within_working_days=5) is moves


@pytest.mark.parametrize(
    ("extended", "refused", "pauses", "expected"),
    [
        (False, False, [], D(2025, 4, 7)),
        (True, False, [], D(2025, 6, 5)),
        # Issue 8 item 2 / Art. 12(4): a refusal is due within the one month even when extended.
        (True, True, [], D(2025, 4, 7)),
        (False, True, [(D(2025, 3, 10), D(2025, 3, 12))], D(2025, 4, 7)),
        (True, False, [(D(2025, 3, 10), D(2025, 3, 12))], D(2025, 6, 9)),
    ],
)
def test_answer_by_date(extended: bool, refused: bool, pauses: list, expected: date) -> None:
    assert answer_by_date(D(2025, 3, 5), extended=extended, refused=refused, pauses=pauses,
                          today=TODAY) == expected


def test_answered_on_the_due_day_is_on_time_the_day_after_is_late() -> None:
    assert is_answered_on_time(D(2025, 4, 7), D(2025, 4, 7))
    assert not is_answered_on_time(D(2025, 4, 8), D(2025, 4, 7))


# --------------------------------------------------------------------------------------------
# days_left.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "today", "expected"),
    [
        (D(2025, 4, 7), D(2025, 4, 7), 0),
        (D(2025, 4, 7), D(2025, 4, 1), 6),
        (D(2025, 4, 7), D(2025, 4, 10), -3),
        (D(2025, 3, 3), D(2025, 2, 27), 4),  # across the end of February 2025
    ],
)
def test_days_left(due: date, today: date, expected: int) -> None:
    assert days_left(due, today) == expected


# --------------------------------------------------------------------------------------------
# Extension (Art. 12(3)): decided and told on or before the one-month due date.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "decided", "notified", "eves", "allowed"),
    [
        # Received 5 Mar 2025, due Mon 7 Apr 2025.
        (D(2025, 3, 5), D(2025, 3, 20), D(2025, 3, 21), False, True),
        (D(2025, 3, 5), D(2025, 4, 7), D(2025, 4, 7), False, True),  # on the due day
        (
            D(2025, 3, 5),
            D(2025, 4, 6),
            D(2025, 4, 6),
            False,
            True,
        ),  # after 5 Apr, before due
        (D(2025, 3, 5), D(2025, 4, 8), D(2025, 4, 8), False, False),
        (D(2025, 3, 5), D(2025, 4, 1), D(2025, 4, 8), False, False),  # told too late
        (D(2025, 3, 5), D(2025, 4, 8), D(2025, 4, 3), False, False),  # decided too late
        # Due Christmas Eve 2026 by default, Mon 28 Dec 2026 with the eves setting.
        (D(2026, 11, 24), D(2026, 12, 28), D(2026, 12, 28), False, False),
        (D(2026, 11, 24), D(2026, 12, 28), D(2026, 12, 28), True, True),
        # Stockholm receipt 1 Apr 2025 -> due Fri 2 May 2025.
        (
            datetime(2025, 3, 31, 22, 30, tzinfo=UTC),
            D(2025, 5, 2),
            D(2025, 5, 2),
            False,
            True,
        ),
    ],
)
def test_extension_allowed(
    received: date | datetime, decided: date, notified: date, eves: bool, allowed: bool
) -> None:
    ok, why = extension_allowed(received, decided, notified, eves_are_holidays=eves)
    assert ok is allowed
    assert why


def test_extension_messages() -> None:
    ok, why = extension_allowed(D(2025, 3, 5), D(2025, 4, 1), D(2025, 4, 8))
    assert not ok
    assert "told" in why
    assert "Tuesday 8 April 2025" in why
    assert "Monday 7 April 2025" in why
    assert "decided on" not in why

    ok, why = extension_allowed(D(2025, 3, 5), D(2025, 4, 8), D(2025, 4, 8))
    assert not ok
    assert "decided" in why and "told" in why

    ok, why = extension_allowed(D(2025, 3, 5), D(2025, 3, 20), D(2025, 3, 21))
    assert ok
    assert "Thursday 5 June 2025" in why


# --------------------------------------------------------------------------------------------
# explain_due_date wording.
# --------------------------------------------------------------------------------------------


def test_explain_weekend() -> None:
    assert explain_due_date(D(2025, 3, 5)) == (
        "Received Wednesday 5 March 2025 (Stockholm time). "
        "One month later is Saturday 5 April 2025. "
        "5 April 2025 is a Saturday, so the deadline moves to Monday 7 April 2025."
    )


def test_explain_easter_chain() -> None:
    text = explain_due_date(D(2026, 3, 3))
    assert "Received Tuesday 3 March 2026" in text
    assert "One month later is Friday 3 April 2026." in text
    assert "Friday 3 April 2026 is Good Friday (a public holiday)" in text
    assert "Saturday 4 April is a Saturday" in text
    assert "Sunday 5 April is Easter Sunday (a public holiday)" in text
    assert "Monday 6 April is Easter Monday (a public holiday)" in text
    assert text.endswith("so the deadline moves to Tuesday 7 April 2026.")


def test_explain_missing_date() -> None:
    text = explain_due_date(D(2026, 1, 31))
    assert "Received Saturday 31 January 2026" in text
    assert (
        "31 February does not exist, so the period ends on the last day of February"
        in text
    )
    assert "Saturday 28 February 2026" in text
    assert text.endswith("so the deadline moves to Monday 2 March 2026.")


def test_explain_extended_period() -> None:
    text = explain_due_date(D(2026, 1, 31), months=3)
    assert "Three months later" in text
    assert "31 April does not exist" in text
    assert "Thursday 30 April 2026 is a working day" in text
    assert "moves" not in text


def test_explain_working_day_and_holiday_single() -> None:
    text = explain_due_date(datetime(2025, 3, 31, 22, 30, tzinfo=UTC))
    assert "Received Tuesday 1 April 2025 (Stockholm time)" in text
    assert "Thursday 1 May 2025 is May Day (a public holiday)" in text
    assert text.endswith("so the deadline moves to Friday 2 May 2025.")


def test_explain_eves_setting() -> None:
    default = explain_due_date(D(2026, 11, 24))
    assert "Thursday 24 December 2026 is a working day" in default
    eves = explain_due_date(D(2026, 11, 24), eves_are_holidays=True)
    assert "Christmas Eve (treated as a holiday by the setting)" in eves
    assert "Friday 25 December is Christmas Day (a public holiday)" in eves
    assert "Saturday 26 December is Boxing Day (a public holiday)" in eves
    assert eves.endswith("so the deadline moves to Monday 28 December 2026.")


def test_explain_new_year_chain() -> None:
    text = explain_due_date(D(2026, 12, 1))
    assert "Friday 1 January 2027 is New Year's Day (a public holiday)" in text
    assert text.endswith("so the deadline moves to Monday 4 January 2027.")


@pytest.mark.parametrize(
    "received",
    [D(2025, 3, 5), D(2026, 1, 31), D(2026, 3, 3), D(2025, 1, 1), D(2026, 12, 1)],
)
def test_explain_has_no_leading_zeros(received: date) -> None:
    for months in (1, 3):
        assert not re.search(r"(?<!\d)0\d", explain_due_date(received, months=months))


def test_explain_rejects_zero_months() -> None:
    with pytest.raises(ValueError):
        explain_due_date(D(2025, 3, 5), months=0)
