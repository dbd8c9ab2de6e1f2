"""The backlog clearance forecast and the weekly trend (privacyops.rules.forecast): pure arithmetic."""

from datetime import date, timedelta

import pytest

from privacyops.rules import forecast
from privacyops.rules.forecast import Pace, clearance_forecast, weekly_trend

AS_OF = date(2026, 3, 1)


def test_pace_per_day():
    pace = Pace(30, left=90, entered=30)
    assert pace.disposed_per_day == 3.0
    assert pace.entering_per_day == 1.0
    assert pace.net_per_day == 2.0


def test_clears_on_the_day_the_net_pace_reaches_zero():
    # 2 a day net: 100 records take 50 days.
    result = clearance_forecast(100, Pace(30, 90, 30), AS_OF)
    assert result.days_to_clear == 50
    assert result.clears_on == AS_OF + timedelta(days=50)
    assert result.clears
    assert "2026-04-20" in result.sentence()


def test_a_part_day_rounds_up():
    # 1/3 a day net: 10 records take 30 days exactly; 11 records take 33.
    assert clearance_forecast(10, Pace(30, 10, 0), AS_OF).days_to_clear == 30
    assert clearance_forecast(11, Pace(30, 10, 0), AS_OF).days_to_clear == 33
    assert clearance_forecast(1, Pace(90, 91, 0), AS_OF).days_to_clear == 1


@pytest.mark.parametrize(("left", "entered"), [(30, 30), (10, 40), (0, 0), (0, 5)])
def test_no_net_pace_does_not_clear(left, entered):
    result = clearance_forecast(500, Pace(30, left, entered), AS_OF)
    assert result.clears_on is None
    assert result.days_to_clear is None
    assert not result.clears
    assert forecast.NOT_CLEARING in result.sentence().lower()


def test_an_empty_backlog_is_clear_today():
    result = clearance_forecast(0, Pace(30, 0, 10), AS_OF)
    assert result.clears and result.clears_on == AS_OF and result.days_to_clear == 0
    assert "clear" in result.sentence()


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        Pace(0, 1, 1)
    with pytest.raises(ValueError):
        Pace(30, -1, 0)
    with pytest.raises(ValueError):
        clearance_forecast(-1, Pace(30, 1, 0), AS_OF)


def test_weekly_trend_change():
    ends = [date(2026, 1, 4) + timedelta(days=7 * i) for i in range(4)]
    trend = weekly_trend(ends, [100, 90, 80, 70])
    assert trend is not None
    assert trend.change == -30 and trend.first == 100 and trend.last == 70
    assert trend.recent_from == date(2026, 1, 4)      # fewer than 4 weeks: from the first point
    assert trend.recent_change == -30
    assert trend.per_week == pytest.approx(-10.0)
    assert trend.line == ((date(2026, 1, 4), 100), (date(2026, 1, 25), 70))
    assert trend.sentence() == "down 30 records over the range; down 30 records since 2026-01-04 (-10.0 a week)"


def test_weekly_trend_follows_the_recent_weeks_after_a_turn():
    # Up 10 a week for 8 weeks, then down 20 a week for the last 4: unchanged over the range, but falling.
    counts = [100 + 10 * i for i in range(9)] + [180 - 20 * i for i in range(1, 5)]
    ends = [date(2026, 1, 4) + timedelta(weeks=i) for i in range(len(counts))]
    trend = weekly_trend(ends, counts)
    assert trend is not None
    assert (trend.change, trend.recent_change) == (0, -80)
    assert trend.recent_from == ends[-5]
    assert trend.per_week == pytest.approx(-20.0)
    assert trend.sentence().startswith("unchanged over the range; down 80 records since")


def test_weekly_trend_with_a_short_last_week():
    # The range ends on a Wednesday: 4 weeks before it is 2026-01-14, so the change counts from the
    # Sunday before, 2026-01-11 (count 2), over 31 days.
    ends = [date(2026, 1, 4) + timedelta(weeks=i) for i in range(6)] + [date(2026, 2, 11)]
    trend = weekly_trend(ends, [1, 2, 3, 4, 5, 6, 9])
    assert trend is not None
    assert (trend.recent_from, trend.recent_to, trend.recent_change) == (date(2026, 1, 11), date(2026, 2, 11), 7)
    assert trend.per_week == pytest.approx(7 / (31 / 7))
    assert weekly_trend(ends, [1, 2, 3, 4, 5, 6, 9], recent_weeks=1).recent_from == date(2026, 2, 1)


def test_weekly_trend_edge_cases():
    assert weekly_trend([], []) is None
    single = weekly_trend([date(2026, 1, 4)], [5])
    assert single is not None and single.change == 0 and single.recent_change == 0 and single.per_week == 0.0
    assert single.sentence().startswith("unchanged over the range; unchanged since 2026-01-04")
    with pytest.raises(ValueError):
        weekly_trend([date(2026, 1, 4)], [1, 2])
    with pytest.raises(ValueError):
        weekly_trend([date(2026, 1, 4)], [1], recent_weeks=0)
