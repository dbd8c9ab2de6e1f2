"""When the retention backlog clears at the current deletion pace (rules.md 4). Pure arithmetic: the
counts come from the queries on the `retention_status` view.

The deletion pace over a window of N days is the records that left the backlog (deleted or anonymised
after their retention ended) per day, minus the records that entered it (their retention ended and they
were not disposed of that day) per day. Over the window the backlog changed by exactly
`entered - left`, so the net pace is also how fast it shrank. At a positive net pace the backlog clears
after ceil(backlog / pace) days; at zero or a negative pace it does not clear.

The flows follow the terms in force on each day (rules.md 4): a shortened term or a customer's deletion
instruction makes records enter on its day. A lengthened term can also take records out of the backlog
(`released`): that is no deletion, so it is not part of the pace, and the window's change is
`entered - left - released`.

The trend of the end-of-week backlog is its change over the whole range and over the last weeks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

NOT_CLEARING = "at the current pace the backlog does not clear"
PACE_WINDOWS: tuple[int, ...] = (30, 90)


@dataclass(frozen=True)
class Pace:
    """The backlog's flow over the last `window_days` days."""

    window_days: int
    left: int  # records that left the backlog (deleted or anonymised after their end)
    entered: int  # records whose retention ended and that were not disposed of that day
    released: int = 0  # records a lengthened term took out of the backlog: not a deletion, not in the pace

    def __post_init__(self) -> None:
        if self.window_days < 1:
            raise ValueError("a pace window is at least one day")
        if self.left < 0 or self.entered < 0 or self.released < 0:
            raise ValueError("record counts cannot be negative")

    @property
    def disposed_per_day(self) -> float:
        return self.left / self.window_days

    @property
    def entering_per_day(self) -> float:
        return self.entered / self.window_days

    @property
    def net_per_day(self) -> float:
        """How many records a day the backlog shrinks by (negative: it grows)."""
        return (self.left - self.entered) / self.window_days


@dataclass(frozen=True)
class Forecast:
    backlog: int
    pace: Pace
    as_of: date
    clears_on: date | None  # None: it does not clear at this pace (or it is already clear)
    days_to_clear: int | None

    @property
    def clears(self) -> bool:
        return self.backlog == 0 or self.clears_on is not None

    def sentence(self) -> str:
        """The forecast in words, as the dashboard shows it."""
        if self.backlog == 0:
            return "The backlog is clear: no record is past its end of retention."
        if self.clears_on is None:
            return (f"At the current pace the backlog does not clear: over the last {self.pace.window_days} days "
                    f"{self.pace.disposed_per_day:.1f} records a day were deleted or anonymised and "
                    f"{self.pace.entering_per_day:.1f} a day reached the end of retention.")
        return (f"At the current pace the backlog clears on {self.clears_on.isoformat()} "
                f"(in {self.days_to_clear} days, {self.pace.net_per_day:.1f} records a day net, "
                f"measured over the last {self.pace.window_days} days).")


def clearance_forecast(backlog: int, pace: Pace, as_of: date) -> Forecast:
    """The day the backlog reaches zero if the net pace of the window holds."""
    if backlog < 0:
        raise ValueError("the backlog cannot be negative")
    if backlog == 0:
        return Forecast(0, pace, as_of, as_of, 0)
    if pace.left <= pace.entered:
        return Forecast(backlog, pace, as_of, None, None)
    # Exact integer arithmetic: ceil(backlog * window / (left - entered)).
    days = math.ceil(backlog * pace.window_days / (pace.left - pace.entered))
    return Forecast(backlog, pace, as_of, as_of + timedelta(days=days), days)


RECENT_WEEKS = 4


@dataclass(frozen=True)
class Trend:
    """The backlog's direction: its change over the whole range, and over the recent weeks (a year's
    change hides a turn, so the recent one is the trend shown)."""

    first: int
    last: int
    change: int  # last - first, over the whole range
    recent_weeks: int
    recent_from: date  # the week end the recent change is counted from
    recent_to: date  # the last point
    recent_change: int  # last - the count on recent_from

    @property
    def per_week(self) -> float:
        """The recent change per week (0 when the range has a single point)."""
        weeks = (self.recent_to - self.recent_from).days / 7
        return self.recent_change / weeks if weeks else 0.0

    @property
    def line(self) -> tuple[tuple[date, int], tuple[date, int]]:
        """The recent trend as a line from its first to its last point."""
        return (self.recent_from, self.last - self.recent_change), (self.recent_to, self.last)

    def sentence(self) -> str:
        def moved(change: int) -> str:
            return "unchanged" if change == 0 else f"{'up' if change > 0 else 'down'} {abs(change):,} records"

        return (f"{moved(self.change)} over the range; {moved(self.recent_change)} since "
                f"{self.recent_from.isoformat()} ({self.per_week:+,.1f} a week)")


def weekly_trend(week_ends: Sequence[date], counts: Sequence[int], recent_weeks: int = RECENT_WEEKS) -> Trend | None:
    """The change over the range, and the change over the last `recent_weeks` weeks: from the last week
    end at least that long before the last point (or the first point, in a shorter range) to the last."""
    if len(week_ends) != len(counts):
        raise ValueError("one count per week end")
    if recent_weeks < 1:
        raise ValueError("the recent trend spans at least one week")
    values = [int(c) for c in counts]
    if not values:
        return None
    since = week_ends[-1] - timedelta(weeks=recent_weeks)
    start = max((i for i, d in enumerate(week_ends) if d <= since), default=0)
    return Trend(values[0], values[-1], values[-1] - values[0], recent_weeks, week_ends[start], week_ends[-1],
                 values[-1] - values[start])
