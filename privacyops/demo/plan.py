"""The fixed facts of one demo run, and the deterministic numbers every step draws from.

A run is (events, seed, today): the same three always give the same store. Pseudo-random numbers in
SQL come from `hash(key, seed, salt)` (`uniform`), not `random()`, because DuckDB's `random()`/`setseed()`
is not reproducible once a query runs on several threads; numbers drawn in Python come from
`random.Random` seeded with the run's seed and a salt naming what it draws.

The data is a snapshot taken at 06:00 UTC on `today` (DEMO_SNAPSHOT_UTC): nothing is dated later.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from privacyops import clock
from privacyops.store.sql import literal

DEFAULT_SEED = 20261125
DEMO_SNAPSHOT_UTC = time(6, 0)   # the instant "now" of the demo store, on `today`
CONSENT_WEEKS = 104              # consent records and requests cover the last two years
RETENTION_DAYS_BACK = 3 * 365    # the retention inventory was built up over three years
POLICY_CHANGE_FROM_END = 0.4     # the policy changed 40 % of the period before the snapshot
# One customer's newest policy took effect a few days ago, so few subjects have answered under it yet and
# nearly all of its subjects are due to be asked again (rules.md 3). Its version is that day's date.
RECENT_POLICY_CUSTOMER = "C09"
RECENT_POLICY_DAYS_BACK = 6
# Retention instructions the demo shows (rules.md 4): one customer shortened a retention term 150 days ago
# (records become due on that day at the earliest), and one customer's contract ended 40 days ago (every
# record of it is due for disposal from that day; the clean-up has not happened yet).
TERM_CHANGE_CUSTOMER, TERM_CHANGE_DAYS_AGO, TERM_CHANGE_NEW_DAYS = "C02", 150, 90
CONTRACT_ENDED_CUSTOMER, CONTRACT_ENDED_DAYS_AGO, CONTRACT_ENDED_MOVED_TO = "C11", 40, "C10"
DEMO_ACTOR = "dpo@expandra.example.com"

US_PER_HOUR = 3_600_000_000
US_PER_DAY = 24 * US_PER_HOUR
US_PER_MINUTE = 60_000_000
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class DemoCustomer:
    """A controller of the demo, with its share of the consent volume."""

    customer_id: str
    name: str
    weight: float
    # How readily its visitors say yes: share of accept_all / reject_all among valid choices, and
    # the chance a custom choice includes each purpose (before the policy change).
    accept: float
    reject: float
    custom_functional: float
    custom_analytics: float
    custom_marketing: float


_CUSTOMER_NAMES_AND_WEIGHTS = (
    ("Fjällgård Offert AB", 30.0), ("Norrskensvik Bygg & Kalkyl AB", 18.0),
    ("Älvkrök Måleritjänst AB", 12.0), ("Granskogen Elprojekt AB", 9.0),
    ("Sjöbrinken Snickeri & Kök AB", 7.0), ("Björkvreten VVS-partner AB", 6.0),
    ("Tallmora Takläggning AB", 5.0), ("Lövängen Trädgårdsplan AB", 4.0),
    ("Stenhällan Fasadvård AB", 3.5), ("Ekudden Glas & Ram AB", 2.5),
    ("Hagtornet Städkalkyl AB", 2.0), ("Myrberga Golvoffert AB", 1.0),
)


@dataclass(frozen=True)
class Plan:
    """The fixed facts of one generation run."""

    events: int
    seed: int
    today: date
    as_of: datetime          # naive UTC: the demo's "now"
    period_start: datetime   # naive UTC, CONSENT_WEEKS before as_of
    change_at: datetime      # naive UTC: the new policy version is shown from here
    recent_change_at: datetime  # naive UTC: RECENT_POLICY_CUSTOMER's newest version is shown from here
    requests: int
    retention_records: int
    customers: tuple[DemoCustomer, ...]
    eves_are_holidays: bool = False  # the store's rule setting, read when the store is locked

    @property
    def as_of_us(self) -> int:
        return us(self.as_of)


def make_plan(events: int, seed: int, today: date) -> Plan:
    """The plan of a run: the snapshot instant, the period, the two policy changes, the sizes."""
    as_of = datetime.combine(today, DEMO_SNAPSHOT_UTC)
    period_start = as_of - timedelta(weeks=CONSENT_WEEKS)
    change_on = today - timedelta(days=round(CONSENT_WEEKS * 7 * POLICY_CHANGE_FROM_END))
    # The new banner went live at midnight Stockholm time.
    change_at = clock.to_utc_naive(datetime.combine(change_on, time(0), tzinfo=clock.STOCKHOLM))
    recent_on = today - timedelta(days=RECENT_POLICY_DAYS_BACK)
    recent_change_at = clock.to_utc_naive(datetime.combine(recent_on, time(0), tzinfo=clock.STOCKHOLM))
    return Plan(events=events, seed=seed, today=today, as_of=as_of, period_start=period_start,
                change_at=change_at, recent_change_at=recent_change_at, requests=max(40, events // 400),
                retention_records=max(200, events // 20), customers=_demo_customers(seed))


def _demo_customers(seed: int) -> tuple[DemoCustomer, ...]:
    rng = random.Random(f"{seed}:customers")
    made = []
    for number, (name, weight) in enumerate(_CUSTOMER_NAMES_AND_WEIGHTS, start=1):
        made.append(DemoCustomer(
            customer_id=f"C{number:02d}", name=name, weight=weight,
            accept=round(rng.uniform(0.52, 0.72), 3), reject=round(rng.uniform(0.12, 0.26), 3),
            custom_functional=round(rng.uniform(0.55, 0.85), 3),
            custom_analytics=round(rng.uniform(0.35, 0.60), 3),
            custom_marketing=round(rng.uniform(0.20, 0.45), 3),
        ))
    return tuple(made)


def us(moment: datetime) -> int:
    """Microseconds since the epoch of a naive UTC datetime (exact integer arithmetic)."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def local_day(moment: datetime) -> date:
    """The Stockholm date of a naive UTC datetime."""
    return clock.from_utc_naive(moment).astimezone(clock.STOCKHOLM).date()


# --- SQL in named steps -------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One named step of a statement: a CTE, with why it is there."""

    name: str
    why: str
    sql: str


def with_steps(steps: Sequence[Step], final: str) -> str:
    """WITH step AS (-- why ...), ... final: the steps in order, each commented with its reason."""
    ctes = ",\n".join(f"{s.name} AS (\n    -- {s.why}\n{s.sql}\n)" for s in steps)
    return f"WITH {ctes}\n{final}"


# --- deterministic numbers in SQL ------------------------------------------------------------------

def uniform(key: str, seed: int, salt: str) -> str:
    """SQL for a uniform number in (0, 1) from the key: the same key, seed and salt give the same
    number on every run and thread. Keys are cast to BIGINT because hash() depends on the type."""
    return f"((hash(CAST({key} AS BIGINT), CAST({seed} AS BIGINT), '{salt}') % 1000000 + 0.5) / 1000000.0)"


def pick(u_sql: str, choices: Sequence[tuple[str, float]]) -> str:
    """SQL CASE choosing one SQL expression by weight, with `u_sql` uniform in (0, 1)."""
    total = sum(w for _, w in choices)
    parts, running = [], 0.0
    for value, weight in choices[:-1]:
        running += weight / total
        parts.append(f"WHEN {u_sql} < {running!r} THEN {value}")
    return f"(CASE {' '.join(parts)} ELSE {choices[-1][0]} END)"


def quoted(values: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """(text, weight) pairs as (SQL string literal, weight), for `pick`."""
    return [(literal(v), w) for v, w in values]


def nth(sql_list: str, key: str, seed: int, salt: str, count: int) -> str:
    """SQL: one element of a list literal of `count` elements, chosen by hash(key, seed, salt)."""
    return f"{sql_list}[1 + CAST(hash({key}, CAST({seed} AS BIGINT), '{salt}') % {count} AS INTEGER)]"


def check_same_names(names: Iterable[str], defined: Iterable[str], what: str) -> None:
    """Stop at import when the demo's weights of `what` do not name exactly what the rules define (a rule
    gained or lost one): every value the rules know must be seen in the demo, and nothing else."""
    ours, theirs = set(names), set(defined)
    if ours != theirs:
        raise ValueError(f"the demo's {what} differ from the rules': missing {sorted(theirs - ours)}, "
                         f"unknown {sorted(ours - theirs)}")
