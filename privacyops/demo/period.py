"""The small tables of the period that SQL joins against, built once in Python: how busy each hour is,
each customer's consent mix, and the deadlines of every receipt date (from `deadlines`, the app's own rules).
"""

from __future__ import annotations

import itertools
import math
import random
from datetime import date, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from privacyops import clock
from privacyops.demo.plan import CONSENT_WEEKS, Plan, us
from privacyops.rules import swedish_calendar
from privacyops.store.tables import due_dates, forward_due_dates, temp_table

MAX_FORWARD_WORKING_DAYS = 10
# Local (Stockholm) hour-of-day activity; consent follows browsing, requests follow office hours.
_CONSENT_HOURS = (0.10, 0.06, 0.04, 0.03, 0.03, 0.05, 0.15, 0.40, 0.75, 0.95, 1.00, 0.95,
                  0.85, 0.95, 1.00, 0.95, 0.85, 0.70, 0.55, 0.50, 0.45, 0.38, 0.28, 0.17)
_REQUEST_HOURS = (0.03, 0.02, 0.01, 0.01, 0.01, 0.02, 0.06, 0.30, 0.80, 1.00, 1.00, 0.90,
                  0.70, 0.90, 1.00, 0.90, 0.70, 0.40, 0.25, 0.20, 0.18, 0.15, 0.10, 0.05)
_WEEKDAYS = (1.00, 1.05, 1.02, 0.98, 0.85, 0.45, 0.42)


def create_lookup_tables(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """demo_slots (the hours), demo_customer_mix (the customers' consent mix), demo_due and
    demo_forward_due (the statutory and forwarding deadlines of every Stockholm receipt date)."""
    temp_table(cur, "demo_slots", slot_table(plan))
    temp_table(cur, "demo_customer_mix", _customer_mix_table(plan))
    eves = plan.eves_are_holidays
    first = clock.from_utc_naive(plan.period_start).astimezone(clock.STOCKHOLM).date()
    days = [first + timedelta(days=d) for d in range((plan.today - first).days + 1)]
    temp_table(cur, "demo_due", due_dates(days, eves_are_holidays=eves))
    temp_table(cur, "demo_forward_due", forward_due_dates(
        ((day, working_days) for day in days for working_days in range(MAX_FORWARD_WORKING_DAYS + 1)),
        eves_are_holidays=eves))


def slot_table(plan: Plan) -> pa.Table:
    """One row per UTC hour of the period with its Stockholm date and how busy it is.

    Consent: a weekly rhythm (weekdays and office hours busiest), growth over the two years, quiet
    Swedish holidays and July, and a wave of renewed consents after the policy change (the banner asks
    everyone again). `first_idx`/`cnt` give each hour an exact share of the `events` records. Requests
    get their own weights (office hours, no wave) as cumulative fractions `req_lo`/`req_hi`.
    Stockholm offsets are whole hours, so every UTC hour lies within one Stockholm date.
    """
    rng = random.Random(f"{plan.seed}:days")
    hours = CONSENT_WEEKS * 7 * 24
    day_noise: dict[date, float] = {}
    starts, local_days, after, consent_w, request_w = [], [], [], [], []
    for h in range(hours):
        start = plan.period_start + timedelta(hours=h)
        local = clock.from_utc_naive(start).astimezone(clock.STOCKHOLM)
        day = local.date()
        if day not in day_noise:
            day_noise[day] = rng.uniform(0.88, 1.12)
        growth = math.exp(math.log(2.3) * (h / hours)) * day_noise[day]
        busy = growth * _weekday_weight(day) * _season(day)
        wave = 1.0
        if start >= plan.change_at:
            wave += 0.9 * math.exp(-(start - plan.change_at).days / 9)
        starts.append(us(start))
        local_days.append(day)
        after.append(start >= plan.change_at)
        consent_w.append(busy * wave * _CONSENT_HOURS[local.hour])
        request_w.append(busy * _REQUEST_HOURS[local.hour])

    consent_lo = _cumulative(consent_w)
    first_idx = [math.floor(c * plan.events) for c in consent_lo] + [plan.events]
    req_lo = _cumulative(request_w)
    req_hi = [*req_lo[1:], 1.0]
    return pa.table({
        "slot_start_us": pa.array(starts, pa.int64()),
        "local_on": pa.array(local_days, pa.date32()),
        "after_change": pa.array(after, pa.bool_()),
        "first_idx": pa.array(first_idx[:-1], pa.int64()),
        "cnt": pa.array([b - a for a, b in itertools.pairwise(first_idx)], pa.int64()),
        "req_lo": pa.array(req_lo, pa.float64()),
        "req_hi": pa.array(req_hi, pa.float64()),
    })


def _weekday_weight(day: date) -> float:
    """Weekdays busiest; a public holiday is as quiet as a Sunday."""
    if day.weekday() < 5 and not swedish_calendar.is_working_day(day):
        return _WEEKDAYS[6]
    return _WEEKDAYS[day.weekday()]


def _season(day: date) -> float:
    """July and the Christmas-to-Epiphany weeks are quiet."""
    if (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 6):
        return 0.6
    return 0.72 if day.month == 7 else 1.0


def _cumulative(weights: list[float]) -> list[float]:
    """The share of the total before each weight."""
    total, running, out = sum(weights), 0.0, []
    for w in weights:
        out.append(running / total)
        running += w
    return out


def _customer_mix_table(plan: Plan) -> pa.Table:
    fields = ("customer_id", "accept", "reject", "custom_functional", "custom_analytics", "custom_marketing")
    columns: dict[str, list[Any]] = {"customer_no": list(range(1, len(plan.customers) + 1))}
    for name in fields:
        columns[name] = [getattr(c, name) for c in plan.customers]
    return pa.table(columns)
