"""A forwarding term longer than the statutory month (issue 8, rules.md 2): the rule behind the Customers
page's warning, privacyops.rules.forwarding.forwarding_term_can_pass_due_date, on fixed dates."""

from __future__ import annotations

from datetime import date

from privacyops.rules import deadlines
from privacyops.rules.forwarding import forwarding_term_can_pass_due_date, shortest_statutory_month

# From 1 December 2025 the coming year's shortest month starts on Friday 12 December 2025: due Monday
# 12 January 2026, with 17 working days between (Christmas Day, Boxing Day, New Year's Day, Epiphany).
FROM = date(2025, 12, 1)


def test_the_shortest_month_of_the_coming_year():
    shortest = shortest_statutory_month(FROM)
    assert (shortest.received_on, shortest.due_on, shortest.working_days) == (date(2025, 12, 12),
                                                                               date(2026, 1, 12), 17)
    # the eves as holidays (lag 1930:173, 2 §) take two more working days out of it
    assert shortest_statutory_month(FROM, eves_are_holidays=True).working_days == 15


def test_a_term_longer_than_that_month_can_forward_after_the_due_date():
    """30 working days (the form's maximum) and 18 both end after the due date of a December request."""
    for term in (30, 18):
        worst = forwarding_term_can_pass_due_date(term, FROM)
        assert worst is not None and worst.received_on == date(2025, 12, 12)
        assert deadlines.forward_due_date(worst.received_on, term) > worst.due_on
    # a term of 17 ends on the due date itself: not after it, so no warning; the eves setting makes it one
    assert forwarding_term_can_pass_due_date(17, FROM) is None
    assert deadlines.forward_due_date(date(2025, 12, 12), 17) == date(2026, 1, 12)
    assert forwarding_term_can_pass_due_date(17, FROM, eves_are_holidays=True) is not None
    assert forwarding_term_can_pass_due_date(5, FROM) is None


def test_only_receipts_from_today_on_count():
    """From 1 February 2026 the coming year's worst month is another one (December 2026: 18 days)."""
    shortest = shortest_statutory_month(date(2026, 2, 1))
    assert shortest.working_days == 18 and shortest.received_on.year == 2026
    assert forwarding_term_can_pass_due_date(18, date(2026, 2, 1)) is None
