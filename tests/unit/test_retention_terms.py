"""The end of retention under terms that change over time and a customer's disposal day (rules.md 4;
GDPR Art. 28(3)(a) and (g); issue 8 item 4 and the deletion instruction / contract end)."""

from __future__ import annotations

from datetime import date

import pytest

from privacyops.rules import retention
from privacyops.rules.forecast import Pace
from privacyops.rules.retention import BacklogStretch, TermChange, TermPeriod

USED = date(2025, 1, 1)
CHANGED = date(2025, 6, 30)


def test_a_shortened_term_makes_the_record_due_on_the_day_of_the_change():
    # The example: last used 2025-01-01, term 365 -> 30 days on 2025-06-30.
    periods = retention.term_periods(30, [TermChange(CHANGED, 365, 30)])
    assert periods == (TermPeriod(None, CHANGED, 365), TermPeriod(CHANGED, None, 30))
    end = retention.effective_end(USED, periods)
    assert end == CHANGED                                    # not 2025-01-31 (last use + the new term)
    assert retention.days_past_end(end, CHANGED) == 0        # was shown as 150 days past
    stretches = retention.backlog_stretches(USED, periods)
    assert stretches == [BacklogStretch(CHANGED, None, CHANGED, None)]
    assert not retention.in_backlog_on(stretches, date(2025, 2, 2))   # no backlog in the weeks before
    assert not retention.in_backlog_on(stretches, date(2025, 6, 29))
    assert retention.in_backlog_on(stretches, CHANGED)


def test_a_record_late_under_the_old_term_stays_late_from_its_old_end():
    periods = retention.term_periods(30, [TermChange(CHANGED, 90, 30)])
    # last used 2025-01-01 + 90 = 2025-04-01: late before the change, and still due after it
    stretches = retention.backlog_stretches(USED, periods)
    assert stretches == [BacklogStretch(date(2025, 4, 1), CHANGED, date(2025, 4, 1), "term_changed"),
                         BacklogStretch(CHANGED, None, date(2025, 4, 1), None)]
    assert retention.effective_end(USED, periods) == date(2025, 4, 1)


def test_a_lengthened_term_takes_the_record_out_of_the_backlog_until_its_new_end():
    periods = retention.term_periods(365, [TermChange(CHANGED, 30, 365)])
    stretches = retention.backlog_stretches(USED, periods)
    # late from 2025-01-31 until the customer lengthened the term; due again at last use + 365
    assert stretches == [BacklogStretch(date(2025, 1, 31), CHANGED, date(2025, 1, 31), "term_changed"),
                         BacklogStretch(date(2026, 1, 1), None, date(2026, 1, 1), None)]
    assert retention.in_backlog_on(stretches, date(2025, 3, 1))
    assert not retention.in_backlog_on(stretches, date(2025, 7, 1))
    assert retention.effective_end(USED, periods) == date(2026, 1, 1)


def test_the_first_term_applies_since_the_processing_began():
    # The creation entry (old value None) is when the term was typed in, not when it was given.
    periods = retention.term_periods(30, [TermChange(date(2026, 6, 1), None, 30)])
    assert periods == (TermPeriod(None, None, 30),)
    assert retention.effective_end(USED, periods) == date(2025, 1, 31)


def test_several_changes_on_one_day_make_one_change():
    periods = retention.term_periods(60, [TermChange(CHANGED, 365, 30), TermChange(CHANGED, 30, 60),
                                          TermChange(date(2025, 8, 1), 60, 60)])
    assert periods == (TermPeriod(None, CHANGED, 365), TermPeriod(CHANGED, date(2025, 8, 1), 60),
                       TermPeriod(date(2025, 8, 1), None, 60))


def test_the_source_systems_end_date_replaces_the_terms():
    periods = retention.term_periods(30, [TermChange(CHANGED, 365, 30)])
    assert retention.effective_end(USED, periods, explicit_end=date(2025, 3, 3)) == date(2025, 3, 3)


def test_the_disposal_day_is_the_earlier_date_never_before_the_record_existed():
    created = date(2025, 1, 1)
    assert retention.disposal_due_from(None, None, created) is None
    assert retention.disposal_due_from(date(2025, 9, 1), date(2025, 8, 1), created) == date(2025, 8, 1)
    assert retention.disposal_due_from(date(2025, 9, 1), None, created) == date(2025, 9, 1)
    assert retention.disposal_due_from(None, date(2024, 5, 1), created) == created


def test_a_deletion_instruction_makes_every_record_due_from_its_day():
    periods = retention.term_periods(365, [])
    instructed = date(2025, 3, 1)
    # not yet due under its term (2026-01-01): due from the instruction
    assert retention.effective_end(USED, periods, disposal_from=instructed) == instructed
    # already due under its term: its own, earlier end stays
    assert retention.effective_end(date(2024, 1, 1), periods, disposal_from=instructed) == date(2024, 12, 31)
    # no term at all: due from the instruction
    assert retention.effective_end(USED, (TermPeriod(None, None, None),), disposal_from=instructed) == instructed
    stretches = retention.backlog_stretches(USED, periods, disposal_from=instructed, disposed_on=date(2025, 4, 1))
    assert stretches == [BacklogStretch(instructed, date(2025, 4, 1), instructed, "disposed")]


def test_a_released_count_is_kept_out_of_the_pace():
    pace = Pace(30, left=60, entered=30, released=10)
    assert pace.net_per_day == 1.0
    with pytest.raises(ValueError, match="negative"):
        Pace(30, 1, 1, released=-1)
