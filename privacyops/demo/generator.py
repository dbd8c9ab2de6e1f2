"""The demo data generator: a seeded, realistic store so the dashboards have something to show.

Everything about the data is invented: 12 customers whose organisation numbers fail the Luhn check
(so none can be a real company), requesters at example.com, pseudonymous consent subjects. The
heavy lifting runs in DuckDB SQL; pseudo-random numbers come from `hash(key, seed, salt)` rather
than `random()`, because DuckDB's `random()`/`setseed()` is not reproducible once a query runs on
several threads. The same (events, seed, today) always gives the same table contents.

Python only builds the small tables SQL joins against (hourly weights of the period, the deadline
of every receipt date from `deadlines`, the customers) and the request history, chained by
`history.append_many` exactly as the app chains it.

The data is a snapshot taken at 06:00 UTC on `today` (DEMO_SNAPSHOT_UTC): nothing is dated later.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from privacyops import clock
from privacyops.rules import deadlines, lifecycle
from privacyops.store import Store, history, run_named
from privacyops.store import settings as stored_settings

DEFAULT_SEED = 20261125
DEMO_SNAPSHOT_UTC = time(6, 0)   # the instant "now" of the demo store, on `today`
CONSENT_WEEKS = 104              # consent records and requests cover the last two years
RETENTION_DAYS_BACK = 3 * 365    # the retention inventory was built up over three years
POLICY_BEFORE, POLICY_AFTER = "2024-05", "2025-09"
POLICY_CHANGE_FROM_END = 0.4     # the policy changed 40 % of the period before the snapshot
# One customer's newest policy took effect a few days ago, so few subjects have answered under it yet and
# nearly all of its subjects are due to be asked again (rules.md 3). Its version is that day's date.
RECENT_POLICY_CUSTOMER = "C09"
RECENT_POLICY_DAYS_BACK = 6
POLICY_ADMIN = "lina.berg@expandra.example"
MAX_FORWARD_WORKING_DAYS = 10
# Retention instructions the demo shows (rules.md 4): one customer shortened a retention term 150 days ago
# (records become due on that day at the earliest), and one customer's contract ended 40 days ago (every
# record of it is due for disposal from that day; the clean-up has not happened yet).
TERM_CHANGE_CUSTOMER, TERM_CHANGE_DAYS_AGO, TERM_CHANGE_NEW_DAYS = "C02", 150, 90
CONTRACT_ENDED_CUSTOMER, CONTRACT_ENDED_DAYS_AGO, CONTRACT_ENDED_MOVED_TO = "C11", 40, "C10"
DEMO_ACTOR = "dpo@expandra.example.com"

DEMO_META_KEYS = ("contents", "demo_events", "demo_seed", "demo_today", "demo_generated_at")
# Children before parents: customer_retention_terms references customers.
DATA_TABLES = ("request_history", "request_pauses", "requests", "consent_records", "retention_records",
               "customer_changes", "customer_retention_terms", "customers")

ProgressFn = Callable[[str, float], None]

_US_PER_HOUR = 3_600_000_000
_US_PER_DAY = 24 * _US_PER_HOUR
_EPOCH = datetime(1970, 1, 1)


# --- the invented world ------------------------------------------------------------------------

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

# Country of the visitor: share of subjects, and how it moves the choice (accept_all, reject_all
# and custom-marketing multipliers). Swedish sites, so Sweden dominates; German visitors refuse more.
_COUNTRIES = (
    ("SE", 0.56, 1.00, 1.00, 1.00), ("NO", 0.10, 1.03, 0.92, 1.05), ("DK", 0.08, 0.97, 1.06, 0.95),
    ("FI", 0.07, 0.99, 1.00, 0.95), ("DE", 0.07, 0.80, 1.45, 0.70), ("NL", 0.05, 0.90, 1.18, 0.85),
    ("GB", 0.04, 0.95, 1.08, 0.90), ("other", 0.03, 0.92, 1.12, 0.90),
)
_OTHER_COUNTRIES = ("FR", "PL", "US", "ES", "EE", "IS")
_CHOICE_SOURCES = (("banner", 0.86), ("settings_page", 0.09), ("api", 0.05))
_WITHDRAWAL_SOURCES = (("settings_page", 0.55), ("banner", 0.35), ("api", 0.10))

_REQUEST_TYPES = (  # (type, share); every type of lifecycle.REQUEST_TYPES
    ("access", 0.36), ("erasure", 0.20), ("rectification", 0.10), ("consent_withdrawal", 0.10),
    ("objection", 0.08), ("portability", 0.07), ("restriction", 0.05), ("automated_decision", 0.04),
)
_CHANNELS = (("email", 0.38), ("web_form", 0.30), ("customer", 0.15), ("phone", 0.07),
             ("other", 0.06), ("letter", 0.04))
_STAFF = (("lina.berg@expandra.example", 0.30), ("oskar.nyberg@expandra.example", 0.25),
          ("maja.holm@expandra.example", 0.20), ("erik.sandell@expandra.example", 0.15),
          ("sara.ek@expandra.example", 0.10))
_FIRST_NAMES = ("Karin", "Lars", "Anna", "Erik", "Maria", "Johan", "Eva", "Anders", "Sofia", "Mikael",
                "Elin", "Peter", "Emma", "Fredrik", "Sara", "Magnus", "Linnea", "Henrik", "Ida", "Jonas",
                "Malin", "Nils", "Frida", "Oskar", "Hanna", "Gustav", "Ebba", "Axel", "Astrid", "Olof")
_LAST_NAMES = ("Lindqvist", "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson",
               "Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg",
               "Lindström", "Bergström", "Holmberg", "Sandberg", "Forsberg", "Sjöberg", "Wallin",
               "Engström", "Lundgren", "Nyström", "Ekström", "Hedlund", "Åberg", "Björk", "Dahl",
               "Sundqvist")
_DESCRIPTIONS = {
    "access": ("Asks for a copy of all personal data held about them, including quote history.",
               "Wants to know what the quote service stores about them and who it is shared with.",
               "Subject access request sent after receiving a quote by email."),
    "rectification": ("The company name and phone number on their quotes are wrong; asks for a correction.",
                      "Asks to correct a misspelt surname in their account."),
    "erasure": ("Asks for their account and all quotes to be deleted.",
                "No longer a customer of the controller; wants all personal data erased.",
                "Wants their email address removed from every quote record."),
    "restriction": ("Disputes the accuracy of their data; asks for processing to be restricted meanwhile.",),
    "portability": ("Asks for their quotes and account data in a machine-readable format.",),
    "objection": ("Objects to the use of their data for follow-up offers.",
                  "Objects to processing based on legitimate interest."),
    "automated_decision": ("Asks whether the automatic quote scoring decided about them without human review.",),
    "consent_withdrawal": ("Withdraws consent to marketing cookies and newsletters.",
                           "Withdraws all consent given in the cookie banner."),
}
# How often each refusal ground is used; which grounds a type may be refused on is lifecycle's (rules.md 1-2).
_GROUND_WEIGHTS = {"controller_decision": 0.30, "identity_not_confirmed": 0.25, "manifestly_unfounded": 0.10,
                   "excessive": 0.10, "no_data_held": 0.15, "no_art17_1_ground": 0.20, "art17_3_b": 0.45,
                   "art17_3_e": 0.25, "art17_3_a": 0.05, "art17_3_d": 0.04, "art17_3_c": 0.03}
# What the requester is told (Art. 12(4)), by ground; every refusal also names IMY and the courts.
_REFUSAL_REASONS = {
    "controller_decision": "The controller has decided not to act on the request and has given its reasons.",
    "identity_not_confirmed": "We asked for proof of identity and did not receive it, so we cannot tell "
                              "whose data the request concerns.",
    "manifestly_unfounded": "The request does not concern personal data processed in the quote service.",
    "excessive": "The same request was answered in full three times in the last two months.",
    "no_data_held": "No personal data about you is held in the quote service.",
    "no_art17_1_ground": "The data is still needed for the quotes you asked for and is not processed on consent.",
    "art17_3_b": "The quotes are bookkeeping records that must be kept for seven years (Bokföringslagen).",
    "art17_3_e": "The data is needed for a legal claim that is pending.",
    "art17_3_a": "The data is part of a published statement covered by freedom of expression.",
    "art17_3_d": "The data is kept in an archive in the public interest.",
    "art17_3_c": "The data is needed for reasons of public health.",
}
_EXTENSION_REASONS = ("Complex request: the data is spread over several systems.",
                      "Many requests from the same requester at once.",
                      "A large volume of quote content must be reviewed before disclosure.",
                      "The controller needs input from its sub-processor.")
_NOTES = {
    "create": "Logged", "forward": "Forwarded to the controller under the DPA",
    "start": "Work started with the controller", "extend": "Requester told of the two-month extension",
    "complete": "Answer sent to the requester",
    "close_forwarded_only": "The controller answers the requester directly",
    "withdraw": "The requester withdrew the request",
}
_RECIPIENTS_NOTES = {"told": "The customer's recipients were told of the change (Art. 19)",
                     "none": "The data was not disclosed to anyone: no recipients to tell"}
_PAUSE_NOTES = {"identity": ("Asked the requester for proof of identity", "Identity confirmed"),
                "clarification": ("Asked the requester to clarify the request", "Clarification received")}
_CATEGORIES = (("email", 0.25), ("name", 0.25), ("company_details", 0.20), ("user_data", 0.15),
               ("quote_content", 0.15))
_RETENTION_CHOICES = (90, 180, 180, 365, 365, 365, 540, 730, 730, 1095, 1825)
# Local (Stockholm) hour-of-day activity; consent follows browsing, requests follow office hours.
_CONSENT_HOURS = (0.10, 0.06, 0.04, 0.03, 0.03, 0.05, 0.15, 0.40, 0.75, 0.95, 1.00, 0.95,
                  0.85, 0.95, 1.00, 0.95, 0.85, 0.70, 0.55, 0.50, 0.45, 0.38, 0.28, 0.17)
_REQUEST_HOURS = (0.03, 0.02, 0.01, 0.01, 0.01, 0.02, 0.06, 0.30, 0.80, 1.00, 1.00, 0.90,
                  0.70, 0.90, 1.00, 0.90, 0.70, 0.40, 0.25, 0.20, 0.18, 0.15, 0.10, 0.05)
_WEEKDAYS = (1.00, 1.05, 1.02, 0.98, 0.85, 0.45, 0.42)


@dataclass(frozen=True)
class _Plan:
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
        return _us(self.as_of)


def _us(moment: datetime) -> int:
    """Microseconds since the epoch of a naive UTC datetime (exact integer arithmetic)."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _sql_date(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def _u(key: str, seed: int, salt: str) -> str:
    """SQL for a uniform number in (0, 1) from the key: the same key, seed and salt give the same
    number on every run and thread. Keys are cast to BIGINT because hash() depends on the type."""
    return f"((hash(CAST({key} AS BIGINT), CAST({seed} AS BIGINT), '{salt}') % 1000000 + 0.5) / 1000000.0)"


def _pick(u_sql: str, choices: Sequence[tuple[str, float]]) -> str:
    """SQL CASE choosing one SQL expression by weight, with `u_sql` uniform in (0, 1)."""
    total = sum(w for _, w in choices)
    parts, running = [], 0.0
    for value, weight in choices[:-1]:
        running += weight / total
        parts.append(f"WHEN {u_sql} < {running!r} THEN {value}")
    return f"(CASE {' '.join(parts)} ELSE {choices[-1][0]} END)"


def _quoted(values: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(f"'{v}'", w) for v, w in values]


def _sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit of a Swedish organisation number's first nine digits."""
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _invented_org_number(rng: random.Random) -> str:
    """An org number in NNNNNN-NNNN form whose check digit is deliberately wrong, so it cannot
    belong to a real company."""
    body = "5" + rng.choice("56789") + "".join(str(rng.randrange(10)) for _ in range(7))
    right = luhn_check_digit(body)
    wrong = (right + 1 + rng.randrange(9)) % 10
    return f"{body[:6]}-{body[6:]}{wrong}"


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


def _plan(events: int, seed: int, today: date) -> _Plan:
    as_of = datetime.combine(today, DEMO_SNAPSHOT_UTC)
    period_start = as_of - timedelta(weeks=CONSENT_WEEKS)
    change_on = today - timedelta(days=round(CONSENT_WEEKS * 7 * POLICY_CHANGE_FROM_END))
    # The new banner went live at midnight Stockholm time.
    change_at = clock.to_utc_naive(datetime.combine(change_on, time(0), tzinfo=clock.STOCKHOLM))
    recent_on = today - timedelta(days=RECENT_POLICY_DAYS_BACK)
    recent_change_at = clock.to_utc_naive(datetime.combine(recent_on, time(0), tzinfo=clock.STOCKHOLM))
    return _Plan(events=events, seed=seed, today=today, as_of=as_of, period_start=period_start,
                 change_at=change_at, recent_change_at=recent_change_at, requests=max(40, events // 400),
                 retention_records=max(200, events // 20), customers=_demo_customers(seed))


# --- public API ----------------------------------------------------------------------------------

def store_contents(store: Store) -> str:
    """'empty' (no customers, consent, requests or retention rows), 'demo' (made by this module),
    else 'real'."""
    with store.cursor() as cur:
        return _contents(cur)


def _contents(cur: duckdb.DuckDBPyConnection) -> str:
    has_rows = cur.execute(
        "SELECT EXISTS (FROM customers) OR EXISTS (FROM consent_records) "
        "OR EXISTS (FROM requests) OR EXISTS (FROM retention_records)").fetchone()[0]
    if not has_rows:
        return "empty"
    marked = cur.execute("SELECT value FROM store_meta WHERE key = 'contents'").fetchone()
    return "demo" if marked and marked[0] == "demo" else "real"


def clear(store: Store) -> None:
    """Empty every data table and remove the demo's store_meta keys, to replace demo data.

    Refuses (ValueError) when the store holds real data. The tables are dropped and created again
    from the definitions DuckDB holds for them (constraints, defaults and indexes included), in one
    transaction: `DELETE` of millions of rows from a table with a VARCHAR primary key takes minutes
    to hours in DuckDB 1.5 (each key leaves the index one by one), and DuckDB does not let one
    transaction delete a parent row whose children it deleted itself.
    """
    if store_contents(store) == "real":
        raise ValueError(f"{store.path} holds real data; only demo data can be cleared.")

    def empty(cur: duckdb.DuckDBPyConnection) -> None:
        if _contents(cur) == "real":
            raise ValueError(f"{store.path} holds real data; only demo data can be cleared.")
        wanted = {"names": list(DATA_TABLES)}
        definitions = dict(cur.execute(
            "SELECT table_name, sql FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT temporary AND list_contains($names, table_name)", wanted).fetchall())
        indexes = [row[0] for row in cur.execute(
            "SELECT sql FROM duckdb_indexes() WHERE database_name = current_database() AND schema_name = 'main' "
            "AND list_contains($names, table_name) AND sql IS NOT NULL ORDER BY index_name", wanted).fetchall()]
        for table in DATA_TABLES:            # children first; identifiers from the fixed tuple above
            cur.execute(f"DROP TABLE {table}")
        for table in reversed(DATA_TABLES):  # parents first
            cur.execute(definitions[table])
        for statement in indexes:
            cur.execute(statement)
        cur.execute("DELETE FROM store_meta WHERE list_contains($keys, key)", {"keys": list(DEMO_META_KEYS)})

    store.write(empty)


def generate(store: Store, events: int, *, seed: int = DEFAULT_SEED, today: date | None = None,
             progress: ProgressFn | None = None) -> dict[str, int]:
    """Fill an empty store with demo data in one transaction; returns the row count per table.

    `events` consent records over the last 104 weeks, max(40, events // 400) requests and
    max(200, events // 20) retention records. `progress(step, fraction_done)` is called between steps.
    Raises ValueError if the store is not empty.
    """
    events = int(events)
    seed = int(seed)
    if events < 1:
        raise ValueError("events must be at least 1")
    plan = _plan(events, seed, today or clock.today())
    report = progress or (lambda step, fraction: None)

    steps: list[tuple[str, float, Callable[[duckdb.DuckDBPyConnection, _Plan], None]]] = [
        ("Hours and deadlines of the period", 0.00, _create_lookup_tables),
        ("Customers and retention terms", 0.01, _insert_customers),
        ("Consent records", 0.02, _insert_consent_records),
        ("Consent policies", 0.71, _set_consent_policies),
        ("Requests and pauses", 0.72, _insert_requests),
        ("The rules' corner cases", 0.73, _shape_rule_cases),
        ("Request history", 0.74, _insert_request_history),
        ("Retention records", 0.79, _insert_retention_records),
        ("Store meta", 0.83, _insert_store_meta),
    ]

    def fill(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
        if _contents(cur) != "empty":
            raise ValueError(f"{store.path} is not empty; demo data goes only into an empty store.")
        # deadlines follow the DPO's setting, as requests.log() does (settings survive clear())
        settings = stored_settings.read(cur)
        run = replace(plan, eves_are_holidays=settings.eves_are_holidays)
        for label, fraction, step in steps:
            report(label, fraction)
            step(cur, run)
        for name in ("demo_slots", "demo_due", "demo_forward_due", "demo_customer_mix",
                     "demo_request_base", "demo_request_final", "demo_term_change"):
            cur.execute(f"DROP TABLE IF EXISTS {name}")
        stored = dict(run_named(cur, "store_counts").fetchall())
        counts = {table: stored[table] for table in reversed(DATA_TABLES)}
        report("Saving (commit)", 0.84)
        return counts

    counts = store.write(fill)
    report("Done", 1.0)
    return counts


# --- lookup tables (small, built in Python once) ---------------------------------------------------

def _register(cur: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Copy an Arrow table into a temp table of this cursor (temp tables vanish with it)."""
    cur.register(f"{name}_arrow", table)
    try:
        cur.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")  # noqa: S608 -- fixed names
    finally:
        cur.unregister(f"{name}_arrow")


def _create_lookup_tables(cur: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    _register(cur, "demo_slots", _slot_table(plan))
    _register(cur, "demo_customer_mix", _customer_mix_table(plan))
    due, forward = _deadline_tables(plan)
    _register(cur, "demo_due", due)
    _register(cur, "demo_forward_due", forward)


def _slot_table(plan: _Plan) -> pa.Table:
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
        progress_frac = h / hours
        growth = math.exp(math.log(2.3) * progress_frac) * day_noise[day]
        weekday = _WEEKDAYS[day.weekday()]
        if day.weekday() < 5 and not deadlines.is_working_day(day):
            weekday = _WEEKDAYS[6]  # a public holiday is as quiet as a Sunday
        season = 0.72 if day.month == 7 else 1.0
        if (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 6):
            season = 0.6
        wave = 1.0
        if start >= plan.change_at:
            wave += 0.9 * math.exp(-(start - plan.change_at).days / 9)
        starts.append(_us(start))
        local_days.append(day)
        after.append(start >= plan.change_at)
        consent_w.append(growth * weekday * season * wave * _CONSENT_HOURS[local.hour])
        request_w.append(growth * weekday * season * _REQUEST_HOURS[local.hour])

    def cumulative(weights: list[float]) -> list[float]:
        total, running, out = sum(weights), 0.0, []
        for w in weights:
            out.append(running / total)
            running += w
        return out

    consent_lo = cumulative(consent_w)
    first_idx = [math.floor(c * plan.events) for c in consent_lo] + [plan.events]
    req_lo = cumulative(request_w)
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


def _customer_mix_table(plan: _Plan) -> pa.Table:
    fields = ("customer_id", "accept", "reject", "custom_functional", "custom_analytics", "custom_marketing")
    columns: dict[str, list[Any]] = {"customer_no": list(range(1, len(plan.customers) + 1))}
    for name in fields:
        columns[name] = [getattr(c, name) for c in plan.customers]
    return pa.table(columns)


def _deadline_tables(plan: _Plan) -> tuple[pa.Table, pa.Table]:
    """The statutory and forwarding deadlines of every Stockholm receipt date of the period,
    computed once by `deadlines` (the app's own rules) so SQL can join them."""
    eves = plan.eves_are_holidays
    first = clock.from_utc_naive(plan.period_start).astimezone(clock.STOCKHOLM).date()
    days = [first + timedelta(days=d) for d in range((plan.today - first).days + 1)]
    due = pa.table({
        "received_on": pa.array(days, pa.date32()),
        "due": pa.array([deadlines.due_date(d, eves_are_holidays=eves) for d in days], pa.date32()),
        "extended_due": pa.array([deadlines.extended_due_date(d, eves_are_holidays=eves) for d in days],
                                 pa.date32()),
    })
    received_on, working_days, forward_due = [], [], []
    for day in days:
        for wd in range(MAX_FORWARD_WORKING_DAYS + 1):
            received_on.append(day)
            working_days.append(wd)
            forward_due.append(deadlines.forward_due_date(day, wd, eves_are_holidays=eves))
    forward = pa.table({
        "received_on": pa.array(received_on, pa.date32()),
        "working_days": pa.array(working_days, pa.int32()),
        "forward_due": pa.array(forward_due, pa.date32()),
    })
    return due, forward


# --- customers -----------------------------------------------------------------------------------

def _insert_customers(cur: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    """12 customers with invented names and org numbers, their forwarding term and retention terms."""
    rng = random.Random(f"{plan.seed}:terms")
    customer_rows, term_rows = [], []
    for c in plan.customers:
        onboarded = plan.as_of - timedelta(days=RETENTION_DAYS_BACK + rng.randrange(30, 900),
                                           minutes=rng.randrange(8 * 60, 17 * 60))
        customer_rows.append((c.customer_id, c.name, _invented_org_number(rng), rng.randint(2, 10), onboarded))
        anonymise_bias = rng.uniform(0.1, 0.9)  # some customers prefer anonymising, others deleting
        for category, _ in _CATEGORIES:
            days = rng.choice(_RETENTION_CHOICES)
            lean = {"quote_content": 0.3, "user_data": 0.15, "email": -0.25, "name": -0.15}.get(category, 0.0)
            action = "anonymise" if rng.random() < anonymise_bias + lean else "delete"
            term_rows.append((c.customer_id, category, days, action))
    cur.executemany("INSERT INTO customers (customer_id, name, org_number, forward_working_days, created_at) "
                    "VALUES (?, ?, ?, ?, ?)", customer_rows)
    cur.executemany("INSERT INTO customer_retention_terms (customer_id, data_category, retention_days, end_action) "
                    "VALUES (?, ?, ?, ?)", term_rows)
    _insert_retention_instructions(cur, plan, term_rows)
    # The subject -> customer mapping and the forwarding terms are needed in SQL from here on.
    cur.execute("ALTER TABLE demo_customer_mix ADD COLUMN forward_working_days INTEGER")
    cur.execute("UPDATE demo_customer_mix AS m SET forward_working_days = c.forward_working_days "
                "FROM customers AS c WHERE c.customer_id = m.customer_id")


def _term_change(plan: _Plan, term_rows: Sequence[tuple[str, str, int, str]]) -> tuple[str, int, date]:
    """The demo's shortened term: the longest term of TERM_CHANGE_CUSTOMER -> (category, old days, day)."""
    category, days = max(((cat, days) for cid, cat, days, _ in term_rows if cid == TERM_CHANGE_CUSTOMER),
                         key=lambda t: (t[1], t[0]))
    return category, days, plan.today - timedelta(days=TERM_CHANGE_DAYS_AGO)


def _insert_retention_instructions(cur: duckdb.DuckDBPyConnection, plan: _Plan,
                                   term_rows: Sequence[tuple[str, str, int, str]]) -> None:
    """The shortened term (the new term stored, the change in the change log) and the contract end."""
    category, old_days, changed_on = _term_change(plan, term_rows)
    at_ten = clock.to_utc_naive(datetime.combine(changed_on, time(10), tzinfo=clock.STOCKHOLM))
    cur.execute("UPDATE customer_retention_terms SET retention_days = $days "
                "WHERE customer_id = $id AND data_category = $cat",
                {"days": TERM_CHANGE_NEW_DAYS, "id": TERM_CHANGE_CUSTOMER, "cat": category})
    ended_on = plan.today - timedelta(days=CONTRACT_ENDED_DAYS_AGO)
    cur.execute("UPDATE customers SET contract_ended_on = $day WHERE customer_id = $id",
                {"day": ended_on, "id": CONTRACT_ENDED_CUSTOMER})
    cur.executemany(
        "INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, new_value) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(TERM_CHANGE_CUSTOMER, at_ten, DEMO_ACTOR, f"{category}.retention_days", str(old_days),
          str(TERM_CHANGE_NEW_DAYS)),
         (CONTRACT_ENDED_CUSTOMER, clock.to_utc_naive(datetime.combine(ended_on, time(9), tzinfo=clock.STOCKHOLM)),
          DEMO_ACTOR, "contract_ended_on", None, ended_on.isoformat())])
    cur.execute(f"CREATE TEMP TABLE demo_term_change AS SELECT '{TERM_CHANGE_CUSTOMER}' AS customer_id, "
                f"'{category}' AS data_category, {_sql_date(changed_on)} AS changed_on, {old_days} AS old_days")


def _customer_no_sql(plan: _Plan, subject_no: str) -> str:
    """SQL: the customer number (1..12) of a consent subject, weighted by consent volume."""
    choices = [(str(i), c.weight) for i, c in enumerate(plan.customers, start=1)]
    return _pick(_u(subject_no, plan.seed, "customer"), choices)


def _subject_no_sql(plan: _Plan, consent_no: str) -> str:
    """SQL: the subject of consent record number `consent_no`. Record i picks one of the first
    ~i/2.6 subjects, so the pool grows over time and subjects come back (2.6 records each on average,
    more for early ones)."""
    return (f"CAST(floor({_u(consent_no, plan.seed, 'subject')} * greatest(1.0, {consent_no} / 2.6)) "
            "AS BIGINT)")


def _subject_id_sql(plan: _Plan, subject_no: str) -> str:
    """SQL: the pseudonymous id of a subject, 'subj_' + 12 hex characters."""
    return (f"'subj_' || format('{{:012x}}', hash(CAST({subject_no} AS BIGINT), CAST({plan.seed} AS BIGINT), "
            "'subject id') >> 16)")


# --- consent records -----------------------------------------------------------------------------

def _insert_consent_records(cur: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    """Exactly `events` consent records, in one INSERT ... SELECT over range(events).

    Record i falls in the hour whose [first_idx, first_idx + cnt) holds i, spaced evenly within it,
    so consent_id order is time order. The choice depends on customer, country and policy version:
    the 2025-09 policy splits analytics from marketing, so marketing opt-ins drop and analytics rises;
    pre-ticked boxes end with it and implied-by-use records nearly do.
    """
    s = plan.seed
    country_case = _pick(_u("subject_no", s, "country"), [(str(i), c[1]) for i, c in enumerate(_COUNTRIES, 1)])
    country_names = _sql_list([c[0] for c in _COUNTRIES])
    other = _sql_list(_OTHER_COUNTRIES)
    accept_f = "[" + ", ".join(str(c[2]) for c in _COUNTRIES) + "]"
    reject_f = "[" + ", ".join(str(c[3]) for c in _COUNTRIES) + "]"
    marketing_f = "[" + ", ".join(str(c[4]) for c in _COUNTRIES) + "]"
    # withdrawals come mostly from the settings page; other choices mostly from the banner
    withdrawal_source = _pick(_u("i", s, "source"), _quoted(_WITHDRAWAL_SOURCES))
    choice_source = _pick(_u("i", s, "source"), _quoted(_CHOICE_SOURCES))
    cur.execute(f"""
        INSERT INTO consent_records (consent_id, customer_id, subject_id, given_at, method, policy_version,
                                     source, country, necessary, functional, analytics, marketing)
        WITH placed AS (
            SELECT r.i, s.slot_start_us, s.first_idx, s.cnt, s.after_change
            FROM range({plan.events}) AS r(i)
            ASOF JOIN (SELECT * FROM demo_slots WHERE cnt > 0) AS s ON r.i >= s.first_idx
        ), subjects AS (
            SELECT *, {_subject_no_sql(plan, 'i')} AS subject_no FROM placed
        ), who AS (
            SELECT *, {_customer_no_sql(plan, 'subject_no')} AS customer_no, {country_case} AS country_no
            FROM subjects
        ), odds AS (
            SELECT w.*, m.customer_id,
                -- invalid records first: implied by use (mostly under the old banner), pre-ticked (only then)
                CASE WHEN after_change THEN 0.008 ELSE 0.055 END AS p_implied,
                CASE WHEN after_change THEN 0.0 ELSE 0.022 END AS p_pre_ticked,
                least(0.95, m.accept * {accept_f}[country_no] - CASE WHEN after_change THEN 0.10 ELSE 0 END)
                    AS p_accept,
                least(0.6, m.reject * {reject_f}[country_no] + CASE WHEN after_change THEN 0.03 ELSE 0 END)
                    AS p_reject,
                m.custom_functional AS p_functional,
                CASE WHEN after_change THEN least(0.97, m.custom_analytics + 0.40) ELSE m.custom_analytics END
                    AS p_analytics,
                m.custom_marketing * {marketing_f}[country_no] * CASE WHEN after_change THEN 0.6 ELSE 1 END
                    AS p_marketing,
                {_u('i', s, 'method')} AS u_method
            FROM who AS w JOIN demo_customer_mix AS m USING (customer_no)
        ), chosen AS (
            SELECT *,
                CASE
                    WHEN u_method < 0.02 THEN 'withdrawal'
                    WHEN u_method < 0.02 + p_implied THEN 'implied'
                    WHEN u_method < 0.02 + p_implied + p_pre_ticked THEN 'pre_ticked'
                    WHEN u_method < 0.02 + p_implied + p_pre_ticked
                                    + (0.98 - p_implied - p_pre_ticked) * p_accept THEN 'accept_all'
                    WHEN u_method < 0.02 + p_implied + p_pre_ticked
                                    + (0.98 - p_implied - p_pre_ticked) * least(1.0, p_accept + p_reject)
                         THEN 'reject_all'
                    ELSE 'custom'
                END AS method
            FROM odds
        )
        SELECT
            'CR' || lpad(CAST(i + 1 AS VARCHAR), 10, '0'),
            customer_id,
            {_subject_id_sql(plan, 'subject_no')},
            make_timestamp(slot_start_us + CAST((i - first_idx + {_u('i', s, 'second')}) / cnt
                                                * {_US_PER_HOUR} AS BIGINT)),
            method,
            CASE WHEN after_change THEN '{POLICY_AFTER}' ELSE '{POLICY_BEFORE}' END,
            CASE WHEN method = 'withdrawal'
                 THEN {withdrawal_source}
                 ELSE {choice_source}
            END,
            CASE WHEN country_no = {len(_COUNTRIES)}
                 THEN {other}[1 + CAST(hash(subject_no, CAST({s} AS BIGINT), 'other country') % {len(_OTHER_COUNTRIES)}
                                  AS INTEGER)]
                 ELSE {country_names}[country_no] END,
            TRUE,
            CASE method WHEN 'custom' THEN {_u('i', s, 'functional')} < p_functional
                        ELSE method IN ('accept_all', 'implied', 'pre_ticked') END,
            CASE method WHEN 'custom' THEN {_u('i', s, 'analytics')} < p_analytics
                        ELSE method IN ('accept_all', 'implied', 'pre_ticked') END,
            CASE method WHEN 'custom' THEN {_u('i', s, 'marketing')} < p_marketing
                        ELSE method IN ('accept_all', 'implied', 'pre_ticked') END
        FROM chosen
    """)  # noqa: S608 -- only ints, dates and this module's constants are interpolated


def _local_day(moment: datetime) -> date:
    return clock.from_utc_naive(moment).astimezone(clock.STOCKHOLM).date()


def _set_consent_policies(cur: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    """Every customer's current policy, set explicitly and confirmed (rules.md 3): POLICY_AFTER from the day
    the new banner went live; RECENT_POLICY_CUSTOMER's newest version (named by its day) from a few days
    ago, its records since then recorded under it, and the change in its change log."""
    recent_on = _local_day(plan.recent_change_at)
    recent_version = recent_on.isoformat()
    cur.execute("UPDATE customers SET consent_policy_version = $version, consent_policy_effective_on = $on, "
                "consent_policy_confirmed = TRUE",
                {"version": POLICY_AFTER, "on": _local_day(plan.change_at)})
    cur.execute("UPDATE consent_records SET policy_version = $version "
                "WHERE customer_id = $customer AND given_at >= $at",
                {"version": recent_version, "customer": RECENT_POLICY_CUSTOMER, "at": plan.recent_change_at})
    cur.execute("UPDATE customers SET consent_policy_version = $version, consent_policy_effective_on = $on "
                "WHERE customer_id = $customer",
                {"version": recent_version, "on": recent_on, "customer": RECENT_POLICY_CUSTOMER})
    changed_at = plan.recent_change_at - timedelta(hours=14)   # the afternoon before, in office hours
    cur.executemany(
        "INSERT INTO customer_changes (customer_id, changed_at, changed_by, field, old_value, new_value) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(RECENT_POLICY_CUSTOMER, changed_at, POLICY_ADMIN, "consent_policy_version", POLICY_AFTER, recent_version),
         (RECENT_POLICY_CUSTOMER, changed_at, POLICY_ADMIN, "consent_policy_effective_on",
          _local_day(plan.change_at).isoformat(), recent_on.isoformat())])


# --- requests ------------------------------------------------------------------------------------

_OPEN_SHOWCASE = ("logged", "forwarded", "in_progress", "paused")   # the 4 most recent requests
_CLOSED_SHOWCASE = ("refused", "withdrawn", "forwarded_only")       # the 3 oldest requests


def _insert_requests(cur: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    """max(40, events // 400) requests with a consistent lifecycle as of the snapshot, and their pauses.

    Each request gets a planned path (forward, start, maybe a pause, maybe an extension, close) from
    realistic durations; what has happened by the snapshot decides its status, so recent requests are
    open. A few requests are pinned so that even a small store shows every status: the four most
    recent are logged / forwarded / in progress / paused, the three oldest refused / withdrawn /
    closed as forwarded-only, the first eight cover every type and the next six every channel.
    A handful of requests from the last four months are stuck past their due date (overdue today).
    """
    s, n = plan.seed, plan.requests
    hour, day, as_of = _US_PER_HOUR, _US_PER_DAY, plan.as_of_us
    types = _sql_list([t for t, _ in _REQUEST_TYPES])
    channels = _sql_list([c for c, _ in _CHANNELS])
    description = "CASE request_type " + " ".join(
        f"WHEN '{t}' THEN {_sql_list(texts)}[1 + CAST(hash(k, CAST({s} AS BIGINT), 'description') % {len(texts)} "
        "AS INTEGER)]" for t, texts in _DESCRIPTIONS.items()) + " END"
    ground = (f"CASE WHEN request_type = 'erasure' "
              f"THEN {_pick(_u('k', s, 'ground'), _quoted(_ground_weights('erasure')))} "
              f"ELSE {_pick(_u('k', s, 'ground'), _quoted(_ground_weights('access')))} END")
    stuck_count = min(12, max(3, n // 2500))

    cur.execute(f"""
        CREATE TEMP TABLE demo_request_base AS
        WITH placed AS (
            SELECT p.k, s.local_on AS received_on,
                   s.slot_start_us + CAST((p.q - s.req_lo) / (s.req_hi - s.req_lo) * {hour} AS BIGINT)
                       AS received_us
            FROM (SELECT k, (k + {_u('k', s, 'received')}) / {n} AS q FROM range({n}) AS t(k)) AS p
            ASOF JOIN (SELECT * FROM demo_slots WHERE req_hi > req_lo) AS s ON p.q >= s.req_lo
        ), linked AS (
            -- the requester is the subject of an existing consent record, so the two can be traced
            SELECT *, {_subject_no_sql(plan, 'consent_no')} AS subject_no
            FROM (SELECT *, CAST(hash(k, CAST({s} AS BIGINT), 'requester') % {plan.events} AS BIGINT)
                               AS consent_no FROM placed)
        ), typed AS (
            SELECT l.*, m.customer_id, m.forward_working_days,
                CASE WHEN k < 8 THEN {types}[k + 1]
                     ELSE {_pick(_u('k', s, 'type'), _quoted(_REQUEST_TYPES))} END AS request_type,
                CASE WHEN k BETWEEN 8 AND 13 THEN {channels}[k - 7]
                     ELSE {_pick(_u('k', s, 'channel'), _quoted(_CHANNELS))} END AS channel,
                {_sql_list(_FIRST_NAMES)}[1 + CAST(hash(subject_no, CAST({s} AS BIGINT), 'first') % {len(_FIRST_NAMES)}
                                          AS INTEGER)] AS first_name,
                {_sql_list(_LAST_NAMES)}[1 + CAST(hash(subject_no, CAST({s} AS BIGINT), 'last') % {len(_LAST_NAMES)}
                                         AS INTEGER)] AS last_name
            FROM linked AS l JOIN demo_customer_mix AS m ON m.customer_no = {_customer_no_sql(plan, 'l.subject_no')}
        )
        SELECT t.*,
            format('DSR-{{:06d}}', k + 1) AS request_id,
            {_subject_id_sql(plan, 'subject_no')} AS subject_id,
            first_name || ' ' || last_name AS requester_name,
            lower(strip_accents(first_name || '.' || last_name)) || '.'
                || CAST(hash(subject_no, CAST({s} AS BIGINT), 'email') % 100 AS VARCHAR) || '@example.com'
                AS requester_email,
            {description} AS description,
            {_pick(_u('k', s, 'assignee'), _quoted(_STAFF))} AS assignee,
            CASE WHEN request_type = 'consent_withdrawal' THEN NULL ELSE d.due END AS due_date,
            d.extended_due, f.forward_due AS forward_due_date,
            epoch_us(CAST(f.forward_due AS TIMESTAMP)) + 14 * {hour} AS forward_deadline_us,
            epoch_us(CAST(d.due AS TIMESTAMP)) AS due_start_us,
            epoch_us(CAST(d.extended_due AS TIMESTAMP)) AS extended_due_start_us,
            {ground} AS refusal_ground_planned
        FROM typed AS t
        JOIN demo_due AS d USING (received_on)
        JOIN demo_forward_due AS f ON f.received_on = t.received_on AND f.working_days = t.forward_working_days
    """)  # noqa: S608 -- only ints, dates and this module's constants are interpolated

    open_showcase = _sql_list(_OPEN_SHOWCASE)
    closed_showcase = _sql_list(_CLOSED_SHOWCASE)
    # Durations: time to close is log-normal with a median of ~11 days (p90 ~29 once extensions and
    # quick forwarded-only closes are mixed in); Box-Muller turns two uniforms into a normal number.
    normal = (f"(sqrt(-2 * ln({_u('k', s, 'z1')})) * cos(2 * pi() * {_u('k', s, 'z2')}))")

    def office(us: str) -> str:
        # showcase requests keep their compressed times, which must stay before the snapshot
        return (f"(CASE WHEN showcase_open IS NULL THEN {us} - {us} % {day} + 7 * {hour} + ({us} % {day}) * 9 // 24 "
                f"ELSE {us} END)")
    cur.execute(f"""
        CREATE TEMP TABLE demo_request_final AS
        WITH ranked AS (
            SELECT *,
                request_type <> 'consent_withdrawal' AS has_month_clock,
                CASE WHEN request_type <> 'consent_withdrawal' THEN row_number() OVER (
                    PARTITION BY request_type = 'consent_withdrawal' ORDER BY received_us DESC, k) END AS recent_rank,
                CASE WHEN request_type <> 'consent_withdrawal' THEN row_number() OVER (
                    PARTITION BY request_type = 'consent_withdrawal' ORDER BY received_us, k) END AS oldest_rank,
                received_us + CAST(least(2 * 60 * 1000000 + {_u('k', s, 'log lag')} * 85 * 60 * 1000000,
                                         ({as_of} - received_us) / 2) AS BIGINT) AS created_us
            FROM demo_request_base
        ), stuck AS (
            SELECT *,
                COALESCE(recent_rank > {len(_OPEN_SHOWCASE)} AND oldest_rank > {len(_CLOSED_SHOWCASE)}
                         AND due_date < {_sql_date(plan.today)}
                         AND received_on >= {_sql_date(plan.today - timedelta(days=120))}, FALSE) AS stuck_eligible
            FROM ranked
        ), flagged AS (
            SELECT *,
                CASE WHEN recent_rank <= {len(_OPEN_SHOWCASE)} THEN {open_showcase}[recent_rank] END AS showcase_open,
                stuck_eligible AND row_number() OVER (
                    PARTITION BY stuck_eligible ORDER BY hash(k, CAST({s} AS BIGINT), 'stuck'), k) <= {stuck_count}
                    AS stuck,
                CASE
                    WHEN oldest_rank <= {len(_CLOSED_SHOWCASE)} THEN {closed_showcase}[oldest_rank]
                    WHEN NOT has_month_clock
                        THEN CASE WHEN {_u('k', s, 'outcome')} < 0.02 THEN 'withdrawn' ELSE 'completed' END
                    WHEN {_u('k', s, 'outcome')} < 0.06 THEN 'refused'
                    WHEN {_u('k', s, 'outcome')} < 0.09 THEN 'withdrawn'
                    WHEN {_u('k', s, 'outcome')} < 0.21 THEN 'forwarded_only'
                    ELSE 'completed'
                END AS planned_outcome
            FROM stuck
        ), paths AS (
            SELECT *,
                has_month_clock AND planned_outcome IN ('completed', 'refused') AS works_on_it,
                CASE WHEN {_u('k', s, 'pause reason')} < 0.7 THEN 'identity' ELSE 'clarification' END AS pause_reason,
                -- most requests are forwarded well inside the DPA term, ~6 % late
                CASE WHEN {_u('k', s, 'forward late')} < 0.06
                     THEN forward_deadline_us + 6 * {hour} + CAST({_u('k', s, 'forward')} * 4 * {day} AS BIGINT)
                     ELSE created_us + 5 * 60 * 1000000 + CAST(pow({_u('k', s, 'forward')}, 2.5)
                          * greatest(0, forward_deadline_us - created_us - 5 * 60 * 1000000) AS BIGINT)
                END AS forward_plan_us,
                -- the team has fallen behind lately: requests of the last two months take up to 2.2x
                -- as long, so most requests of the last five weeks are still open
                least(1.0, greatest(0.0, (received_us - ({as_of} - 60 * {day})) / (60.0 * {day}))) AS slowdown,
                CAST(exp(ln(11.0) + 0.62 * {normal}) * {day} AS BIGINT) AS typical_duration_us,
                CAST((0.5 + 13.5 * pow({_u('k', s, 'pause length')}, 1.7)) * {day} AS BIGINT) AS pause_length_us
            FROM flagged
        ), steps AS (
            SELECT *,
                works_on_it AND {_u('k', s, 'pause')} < 0.125 AS pauses,
                works_on_it AND NOT stuck AND {_u('k', s, 'extend')} < 0.10 AS extends_wanted,
                forward_plan_us + 20 * 60 * 1000000
                    + CAST(pow({_u('k', s, 'start')}, 2) * 3 * {day} AS BIGINT) AS start_plan_us
            FROM paths
        ), timed AS (
            SELECT *,
                CASE WHEN pauses THEN start_plan_us + CAST({_u('k', s, 'pause at')} * 2 * {day} AS BIGINT) END
                    AS pause_plan_us,
                -- the extension is decided and told before the one-month due date (Art. 12(3))
                extends_wanted AND due_start_us - 3 * {hour} > start_plan_us + {hour} AS extends,
                start_plan_us + CAST((0.3 + 0.6 * {_u('k', s, 'extend at')})
                    * (due_start_us - 3 * {hour} - start_plan_us) AS BIGINT) AS extend_plan_us
            FROM steps
        ), closing AS (
            SELECT *,
                CASE WHEN pauses THEN pause_plan_us + pause_length_us END AS resume_plan_us,
                CASE
                    WHEN NOT has_month_clock THEN created_us + 30 * 60 * 1000000
                         + CAST(pow({_u('k', s, 'close')}, 2) * 3 * {day} AS BIGINT)
                    WHEN planned_outcome = 'forwarded_only'
                        THEN forward_plan_us + {hour} + CAST(pow({_u('k', s, 'close')}, 1.5) * 10 * {day} AS BIGINT)
                    WHEN planned_outcome = 'withdrawn'
                        THEN forward_plan_us + 2 * {hour} + CAST({_u('k', s, 'close')} * 14 * {day} AS BIGINT)
                    WHEN extends THEN received_us + CAST((30 + 45 * {_u('k', s, 'close')}) * {day} AS BIGINT)
                    ELSE received_us + CAST(typical_duration_us * (1 + 1.2 * slowdown) AS BIGINT)
                END + CASE WHEN pauses THEN pause_length_us ELSE 0 END AS close_raw_us,
                greatest(CASE WHEN pauses THEN pause_plan_us + pause_length_us ELSE start_plan_us END,
                         CASE WHEN extends THEN extend_plan_us END) + 2 * {hour} AS close_floor_us,
                -- the last instant of the (extended) due date in Stockholm, in UTC
                CASE WHEN extends THEN extended_due_start_us ELSE due_start_us END + 21 * {hour} AS due_end_us
            FROM timed
        ), planned AS (
            SELECT *,
                CASE
                    WHEN stuck THEN NULL
                    WHEN NOT works_on_it THEN close_raw_us
                    -- most late answers are pulled back before the deadline; the rest are breaches
                    WHEN close_raw_us > due_end_us
                         AND {_u('k', s, 'on time')} < CASE WHEN extends THEN 0.85 ELSE 0.78 + 0.17 * slowdown END
                        THEN greatest(close_floor_us, due_end_us - 2 * {hour}
                                      - CAST({_u('k', s, 'margin')} * 4 * {day} AS BIGINT))
                    ELSE greatest(close_raw_us, close_floor_us)
                END AS close_plan_us
            FROM closing
        ), shown AS (
            -- the four showcase requests get compressed paths that stop at their status
            SELECT *,
                CASE showcase_open WHEN 'logged' THEN NULL
                    WHEN 'forwarded' THEN created_us + ({as_of} - created_us) // 2
                    WHEN 'in_progress' THEN created_us + ({as_of} - created_us) * 3 // 10
                    WHEN 'paused' THEN created_us + ({as_of} - created_us) // 5
                    ELSE forward_plan_us END AS forward_us_0,
                CASE showcase_open WHEN 'in_progress' THEN created_us + ({as_of} - created_us) * 6 // 10
                    WHEN 'paused' THEN created_us + ({as_of} - created_us) * 2 // 5
                    WHEN 'logged' THEN NULL WHEN 'forwarded' THEN NULL
                    ELSE CASE WHEN works_on_it THEN start_plan_us END END AS start_us_0,
                CASE WHEN showcase_open = 'paused' THEN created_us + ({as_of} - created_us) * 3 // 5
                     WHEN showcase_open IS NULL THEN pause_plan_us END AS pause_us_0,
                CASE WHEN showcase_open IS NULL THEN resume_plan_us END AS resume_us_0,
                CASE WHEN showcase_open IS NULL AND extends THEN extend_plan_us END AS extend_us_0,
                CASE WHEN showcase_open IS NULL THEN close_plan_us END AS close_us_0
            FROM planned
        ), office_1 AS (
            -- staff act in office hours: each UTC day is squeezed into 07:00-16:00 UTC, which keeps
            -- the order of events and the day they fall on; each step stays after the one before
            SELECT *,
                CASE WHEN has_month_clock AND forward_us_0 IS NOT NULL
                     THEN greatest({office('forward_us_0')}, created_us + 60000000) END AS forward_us_1
            FROM shown
        ), office_2 AS (
            SELECT *,
                CASE WHEN start_us_0 IS NOT NULL THEN greatest({office('start_us_0')}, forward_us_1 + 60000000) END
                    AS start_us_1
            FROM office_1
        ), office_3 AS (
            SELECT *,
                CASE WHEN pause_us_0 IS NOT NULL THEN greatest({office('pause_us_0')}, start_us_1 + 60000000) END
                    AS pause_us_1,
                CASE WHEN extend_us_0 IS NOT NULL THEN greatest({office('extend_us_0')}, start_us_1 + 60000000) END
                    AS extend_us_1
            FROM office_2
        ), office_4 AS (
            SELECT *,
                CASE WHEN resume_us_0 IS NOT NULL THEN greatest({office('resume_us_0')}, pause_us_1 + 60000000) END
                    AS resume_us_1
            FROM office_3
        ), office_5 AS (
            SELECT *,
                CASE WHEN close_us_0 IS NOT NULL
                     THEN greatest({office('close_us_0')}, greatest(created_us, forward_us_1, start_us_1, pause_us_1,
                                                                   resume_us_1, extend_us_1) + 60000000) END
                    AS close_us_1
            FROM office_4
        ), happened AS (
            -- only what happened by the snapshot is recorded; an extension counts only if it was
            -- decided before the one-month due date
            SELECT *,
                CASE WHEN forward_us_1 <= {as_of} THEN forward_us_1 END AS forward_us,
                CASE WHEN start_us_1 <= {as_of} THEN start_us_1 END AS start_us,
                CASE WHEN pause_us_1 <= {as_of} THEN pause_us_1 END AS pause_us,
                CASE WHEN resume_us_1 <= {as_of} THEN resume_us_1 END AS resume_us,
                CASE WHEN extend_us_1 <= least({as_of}, due_start_us - 3 * {hour}) THEN extend_us_1 END AS extend_us,
                CASE WHEN close_us_1 <= {as_of} THEN close_us_1 END AS close_us
            FROM office_5
        )
        SELECT *,
            CASE
                WHEN close_us IS NOT NULL THEN CASE planned_outcome WHEN 'forwarded_only' THEN 'completed'
                                                                    ELSE planned_outcome END
                WHEN pause_us IS NOT NULL AND resume_us IS NULL THEN 'paused'
                WHEN start_us IS NOT NULL THEN 'in_progress'
                WHEN forward_us IS NOT NULL THEN 'forwarded'
                ELSE 'logged'
            END AS status,
            CASE WHEN close_us IS NOT NULL THEN planned_outcome END AS outcome,
            CASE WHEN showcase_open = 'paused' THEN 'identity' ELSE pause_reason END AS pause_reason_final,
            CASE WHEN extend_us IS NOT NULL
                 THEN {_sql_list(_EXTENSION_REASONS)}[1 + CAST(hash(k, CAST({s} AS BIGINT), 'extension')
                                                     % {len(_EXTENSION_REASONS)} AS INTEGER)] END AS extension_reason,
            CASE WHEN extend_us IS NOT NULL
                 THEN least(extend_us + CAST((5 + 55 * {_u('k', s, 'told')}) * 60 * 1000000 AS BIGINT),
                            due_start_us - 2 * {hour}, {as_of}) END AS extension_notified_us,
            greatest(created_us, forward_us, start_us, pause_us, resume_us, extend_us, close_us) AS updated_us
        FROM happened
    """)  # noqa: S608 -- only ints, dates and this module's constants are interpolated

    _plan_closing(cur, plan)
    cur.execute("""
        INSERT INTO requests (request_id, customer_id, request_type, received_at, channel, requester_email,
            requester_name, subject_id, description, status, assignee, forward_due_date, forwarded_at, due_date,
            extension_reason, extension_notified_at, extended_due_date, closed_at, outcome, refusal_ground,
            contact_anonymised_at, created_at, updated_at, refusal_reasons, refusal_remedies_told,
            refusal_notified_at, recipients_notice, recipients_told_at)
        SELECT request_id, customer_id, request_type, make_timestamp(received_us), channel, requester_email,
            requester_name, subject_id, description, status, assignee, forward_due_date,
            make_timestamp(forward_us), due_date, extension_reason, make_timestamp(extension_notified_us),
            CASE WHEN extend_us IS NOT NULL THEN extended_due END, make_timestamp(close_us), outcome,
            CASE WHEN outcome = 'refused' THEN refusal_ground_planned END, NULL,
            make_timestamp(created_us), make_timestamp(updated_us),
            refusal_reasons, CASE WHEN outcome = 'refused' THEN TRUE END,
            CASE WHEN outcome = 'refused' THEN make_timestamp(close_us) END,
            recipients_notice, CASE WHEN recipients_notice = 'told' THEN make_timestamp(recipients_us) END
        FROM demo_request_final
    """)
    cur.execute("""
        INSERT INTO request_pauses (request_id, paused_at, reason, resumed_at, asked_at)
        SELECT request_id, make_timestamp(pause_us), pause_reason_final, make_timestamp(resume_us),
            make_timestamp(pause_us)
        FROM demo_request_final WHERE pause_us IS NOT NULL
    """)


# --- the rules' corner cases (issue 8) -------------------------------------------------------------

# Every 53rd request (not a showcase one, not one the customer sent us) is about Expandra's own website
# statistics: Expandra is the controller (policy section 2), so it has no customer and is never forwarded.
_OWN_REQUEST_EVERY = 53


def _shape_rule_cases(cur: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    """Make the rules' corners visible: requests where Expandra is the controller, controller-handled
    requests whose answer date the customer told us, and pauses that do or do not move the deadline
    (rules.md 1, Pausing), with the deadlines they move computed by `deadlines` as `requests.apply()` does.
    Refusals after an extension, withdrawn and controller-handled requests come from the plan itself."""
    cur.execute("UPDATE requests SET eves_are_holidays = $eves", {"eves": plan.eves_are_holidays})
    cur.execute(f"""
        UPDATE demo_request_final SET
            customer_id = NULL, forward_due_date = NULL, forward_us = NULL,
            status = CASE status WHEN 'forwarded' THEN 'logged' ELSE status END,
            updated_us = greatest(created_us, start_us, pause_us, resume_us, extend_us, close_us)
        WHERE k % {_OWN_REQUEST_EVERY} = 7 AND showcase_open IS NULL AND oldest_rank > {len(_CLOSED_SHOWCASE)}
          AND channel <> 'customer' AND coalesce(planned_outcome, '') <> 'forwarded_only'
    """)  # noqa: S608 -- only this module's integer constants are interpolated
    cur.execute("""
        UPDATE requests AS q SET customer_id = NULL, forward_due_date = NULL, forwarded_at = NULL,
            status = f.status, updated_at = make_timestamp(f.updated_us)
        FROM demo_request_final AS f
        WHERE f.request_id = q.request_id AND f.customer_id IS NULL
    """)
    # The oldest request (the refused showcase) was extended, then refused after the one-month date: late by
    # law, as a refusal is due within the one month even after an extension (Art. 12(4)).
    cur.execute(f"""
        UPDATE demo_request_final SET
            extend_us = start_us + {_US_PER_HOUR},
            extension_notified_us = start_us + {_US_PER_HOUR} + 30 * 60 * 1000000,
            extension_reason = {_sql_list(_EXTENSION_REASONS)}[1],
            close_us = greatest(due_start_us + 20 * {_US_PER_DAY} + 10 * {_US_PER_HOUR},
                                coalesce(resume_us, start_us) + {_US_PER_HOUR}),
            updated_us = greatest(due_start_us + 20 * {_US_PER_DAY} + 10 * {_US_PER_HOUR},
                                  coalesce(resume_us, start_us) + {_US_PER_HOUR})
        WHERE oldest_rank = 1 AND planned_outcome = 'refused' AND start_us IS NOT NULL
          AND start_us + {_US_PER_HOUR} < due_start_us - 3 * {_US_PER_HOUR}
          AND due_start_us + 20 * {_US_PER_DAY} < {plan.as_of_us}
    """)  # noqa: S608 -- only this module's integer constants are interpolated
    cur.execute("""
        UPDATE requests AS q SET extension_reason = f.extension_reason,
            extension_notified_at = make_timestamp(f.extension_notified_us), extended_due_date = f.extended_due,
            closed_at = make_timestamp(f.close_us), updated_at = make_timestamp(f.updated_us)
        FROM demo_request_final AS f
        WHERE f.request_id = q.request_id AND f.oldest_rank = 1 AND f.extend_us IS NOT NULL
    """)
    # Half the customers tell us when they answered a request they handled themselves (rules.md 2).
    cur.execute("""
        UPDATE requests SET controller_answered_on = least(
            CAST((closed_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Stockholm' AS DATE)
                + CAST(hash(request_id, 'controller answer') % 14 AS INTEGER),
            $today)
        WHERE outcome = 'forwarded_only' AND hash(request_id, 'controller told') % 2 = 0
    """, {"today": plan.today})
    _demo_paused_deadlines(cur, plan)


def _demo_paused_deadlines(cur: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    """Decide for each pause whether it moves the deadline, and store the moved deadlines."""
    settings = stored_settings.read(cur)
    pauses = cur.execute("""
        SELECT p.request_id, p.paused_at, p.reason, p.asked_at, p.resumed_at, r.received_at,
               r.extended_due_date IS NOT NULL AS extended
        FROM request_pauses AS p JOIN requests AS r USING (request_id)
        WHERE r.due_date IS NOT NULL
        ORDER BY p.request_id, p.paused_at
    """).fetchall()
    eves = plan.eves_are_holidays
    moves_col, moved = [], {}
    for request_id, paused_at, reason, asked_at, resumed_at, received_at, extended in pauses:
        received = clock.from_utc_naive(received_at)
        moves = deadlines.pause_moves_deadline(
            received, reason, deadlines.stockholm_date(clock.from_utc_naive(asked_at)),
            within_working_days=settings.identity_pause_working_days, eves_are_holidays=eves)
        moves_col.append((request_id, paused_at, moves))
        if moves:
            span = (deadlines.stockholm_date(clock.from_utc_naive(paused_at)),
                    None if resumed_at is None else deadlines.stockholm_date(clock.from_utc_naive(resumed_at)))
            moved.setdefault(request_id, (received, extended, []))[2].append(span)
    if not moves_col:
        return
    decided = pa.table({"request_id": [r for r, _, _ in moves_col],
                        "paused_at": pa.array([p for _, p, _ in moves_col], pa.timestamp("us")),
                        "moves_deadline": [m for _, _, m in moves_col]})
    _register(cur, "demo_pause_decisions", decided)
    cur.execute("""
        UPDATE request_pauses AS p SET moves_deadline = d.moves_deadline
        FROM demo_pause_decisions AS d WHERE d.request_id = p.request_id AND d.paused_at = p.paused_at
    """)
    cur.execute("DROP TABLE demo_pause_decisions")
    if not moved:
        return
    ids, due, extended_due = [], [], []
    for request_id, (received, extended, spans) in moved.items():
        ids.append(request_id)
        due.append(deadlines.paused_due_date(received, spans, plan.today, eves_are_holidays=eves))
        extended_due.append(deadlines.paused_due_date(received, spans, plan.today, months=3,
                                                      eves_are_holidays=eves) if extended else None)
    _register(cur, "demo_paused_deadlines", pa.table({
        "request_id": ids, "paused_due_date": pa.array(due, pa.date32()),
        "paused_extended_due_date": pa.array(extended_due, pa.date32())}))
    cur.execute("""
        UPDATE requests AS r SET paused_due_date = d.paused_due_date,
            paused_extended_due_date = d.paused_extended_due_date
        FROM demo_paused_deadlines AS d WHERE d.request_id = r.request_id
    """)
    cur.execute("DROP TABLE demo_paused_deadlines")


def _ground_weights(request_type: str) -> list[tuple[str, float]]:
    """The grounds lifecycle allows for this type (rules.md 1-2), weighted by how often the demo uses them."""
    return [(g, _GROUND_WEIGHTS.get(g, 0.05)) for g in lifecycle.refusal_grounds_for(request_type)]


def _plan_closing(cur: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    """The refusal notices (Art. 12(4)) and Art. 19 records of the planned requests, and the cases the
    pages must be able to show (issue 8): an erasure refused on a ground every right shares
    (identity not confirmed), a completed erasure whose recipients were told, and an open rectification
    (the in-progress showcase) whose recipients are not yet told.

    Every refusal is told with its reasons and remedies when it is recorded. A completed rectification,
    erasure or restriction records its recipients 30 seconds before it completes: told (about 70 %) or
    none; the latest completed erasure is always 'told'."""
    s = plan.seed
    texts = _REFUSAL_REASONS
    rectification = _sql_list(_DESCRIPTIONS["rectification"][:1])
    cur.execute(f"""
        ALTER TABLE demo_request_final ADD COLUMN refusal_reasons VARCHAR;
        ALTER TABLE demo_request_final ADD COLUMN recipients_notice VARCHAR;
        ALTER TABLE demo_request_final ADD COLUMN recipients_us BIGINT;
        UPDATE demo_request_final SET request_type = 'rectification', description = {rectification}[1]
        WHERE showcase_open = 'in_progress';
        UPDATE demo_request_final
        SET planned_outcome = 'refused', outcome = 'refused', status = 'refused',
            refusal_ground_planned = 'identity_not_confirmed'
        WHERE request_id = (SELECT request_id FROM demo_request_final
                            WHERE request_type = 'erasure' AND close_us IS NOT NULL AND start_us IS NOT NULL
                              AND planned_outcome IN ('completed', 'refused') ORDER BY received_us LIMIT 1);
        UPDATE demo_request_final
        SET refusal_reasons = CASE refusal_ground_planned
                {' '.join(f"WHEN '{g}' THEN {_sql_list([t])}[1]" for g, t in texts.items())} END
        WHERE outcome = 'refused';
        UPDATE demo_request_final AS f
        SET recipients_us = f.close_us - 30000000,
            recipients_notice = CASE WHEN f.request_id = l.latest OR {_u('k', s, 'recipients')} < 0.7
                                     THEN 'told' ELSE 'none' END
        FROM (SELECT max(request_id) AS latest FROM demo_request_final
              WHERE request_type = 'erasure' AND outcome = 'completed') AS l
        WHERE f.outcome = 'completed' AND f.request_type IN {tuple(sorted(lifecycle.TYPES_NOTIFYING_RECIPIENTS))};
    """)  # noqa: S608 -- only ints and this module's constants are interpolated


# --- request history -----------------------------------------------------------------------------

def _insert_request_history(cur: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    """One history entry per lifecycle step, shaped like `requests.log()`/`requests.apply()` write
    them, in time order, hash-chained and inserted in bulk by `history.append_many`."""
    rows = cur.execute("""
        WITH r AS (
            SELECT f.* EXCLUDE (refusal_reasons, recipients_notice), q.received_at, q.forwarded_at, q.closed_at,
                   q.extension_notified_at, q.extended_due_date, q.refusal_ground, q.refusal_reasons,
                   q.refusal_notified_at, q.recipients_notice, q.recipients_told_at
            FROM demo_request_final AS f JOIN requests AS q USING (request_id)
        ), steps AS (
            SELECT request_id, created_us AS at_us, 0 AS step, 'create' AS action, NULL AS old_status,
                   'logged' AS new_status FROM r
            UNION ALL SELECT request_id, forward_us, 1, 'forward', 'logged', 'forwarded'
                FROM r WHERE forward_us IS NOT NULL
            UNION ALL SELECT request_id, start_us, 2, 'start',
                    CASE WHEN forward_us IS NULL THEN 'logged' ELSE 'forwarded' END, 'in_progress'
                FROM r WHERE start_us IS NOT NULL
            UNION ALL SELECT request_id, pause_us, 3, 'pause', 'in_progress', 'paused'
                FROM r WHERE pause_us IS NOT NULL
            UNION ALL SELECT request_id, resume_us, 4, 'resume', 'paused', 'in_progress'
                FROM r WHERE resume_us IS NOT NULL
            UNION ALL SELECT request_id, extend_us, 5, 'extend', NULL, NULL
                FROM r WHERE extend_us IS NOT NULL
            UNION ALL SELECT request_id, recipients_us, 6, 'record_recipients', NULL, NULL
                FROM r WHERE recipients_notice IS NOT NULL
            UNION ALL SELECT request_id, close_us, 7,
                    CASE planned_outcome WHEN 'completed' THEN 'complete'
                        WHEN 'forwarded_only' THEN 'close_forwarded_only'
                        WHEN 'refused' THEN 'refuse' ELSE 'withdraw' END,
                    CASE WHEN start_us IS NOT NULL THEN 'in_progress'
                         WHEN forward_us IS NOT NULL THEN 'forwarded' ELSE 'logged' END,
                    status
                FROM r WHERE close_us IS NOT NULL
        )
        SELECT make_timestamp(s.at_us) AS recorded_at, s.request_id, s.action, s.old_status, s.new_status,
            r.assignee, r.customer_id, r.request_type, r.received_at, r.channel, r.requester_email,
            r.requester_name, r.subject_id, r.description, r.forward_due_date, r.due_date, r.forwarded_at,
            r.closed_at, r.outcome, r.refusal_ground, r.extension_reason, r.extension_notified_at,
            r.extended_due_date, r.pause_reason_final, r.refusal_reasons, r.refusal_notified_at,
            r.recipients_notice, r.recipients_told_at,
            (SELECT any_value(p.moves_deadline) FROM request_pauses AS p WHERE p.request_id = s.request_id)
                AS pause_moves_deadline
        FROM steps AS s JOIN r USING (request_id)
        ORDER BY s.at_us, s.request_id, s.step
    """).fetchall()

    grounds = lifecycle.REFUSAL_GROUNDS
    entries = []
    for row in rows:
        (at, request_id, action, old_status, new_status, assignee, customer_id, request_type, received_at,
         channel, email, name, subject_id, description, forward_due, due, forwarded_at, closed_at, outcome,
         ground, ext_reason, ext_notified, ext_due, pause_reason, reasons, refusal_told, recipients,
         recipients_told, pause_moves) = row
        note = _NOTES.get(action, "")
        if action == "create":
            # what requests.log() records: every field it sets, old value None
            created = {"request_id": request_id, "customer_id": customer_id, "request_type": request_type,
                       "received_at": received_at, "channel": channel, "requester_email": email,
                       "requester_name": name, "subject_id": subject_id, "description": description,
                       "status": "logged", "assignee": assignee, "forward_due_date": forward_due,
                       "due_date": due, "eves_are_holidays": plan.eves_are_holidays}
            changes: dict[str, Any] = {k: [None, v] for k, v in created.items() if v is not None}
        elif action == "record_recipients":
            # what requests.apply() records for Art. 19: no status change
            changes = {"recipients_notice": [None, recipients]}
            if recipients_told is not None:
                changes["recipients_told_at"] = [None, _plain(recipients_told)]
            note = _RECIPIENTS_NOTES[recipients]
        elif action == "extend":
            changes = {"extension_reason": [None, ext_reason],
                       "extension_notified_at": [None, _plain(ext_notified)],
                       "extended_due_date": [None, _plain(ext_due)]}
        else:
            # what requests.apply() records: {field: [old, new]} of what the action changed
            changes = {"status": [old_status, new_status]}
            if action == "forward":
                changes["forwarded_at"] = [None, _plain(forwarded_at)]
            elif action == "pause":
                changes["pause_reason"] = [None, pause_reason]
                changes["asked_at"] = [None, _plain(at)]
                changes["moves_deadline"] = [None, pause_moves]
                note = _PAUSE_NOTES[pause_reason][0]
            elif action == "resume":
                note = _PAUSE_NOTES[pause_reason][1]
            elif action in ("complete", "close_forwarded_only", "refuse", "withdraw"):
                changes["closed_at"] = [None, _plain(closed_at)]
                changes["outcome"] = [None, outcome]
                if action == "refuse":
                    changes["refusal_ground"] = [None, ground]
                    changes["refusal_reasons"] = [None, reasons]
                    changes["refusal_remedies_told"] = [None, True]
                    changes["refusal_notified_at"] = [None, _plain(refusal_told)]
                    note = "Refused: " + grounds[ground]
                elif request_type == "consent_withdrawal" and action == "complete":
                    note = "Consent withdrawal carried out"
        entries.append(history.NewEntry(request_id, at, assignee, action, changes, note))
    history.append_many(cur, entries)


def _plain(value: Any) -> Any:
    """A date or datetime as requests.apply() stores it in a change set (ISO text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# --- retention records ---------------------------------------------------------------------------

def _insert_retention_records(cur: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    """max(200, events // 20) records of the quote service's personal data, with their disposal.

    Records created over three years; retention ends at the source's date (~10 %) or last use plus
    the customer's term. Disposal lagged more and more (the backlog grew) until a clean-up started
    100 days ago and caught up (the backlog shrank); ~3 % are never disposed, so the backlog today
    has records of every age. Disposal is planned from the end under the terms in force: TERM_CHANGE_CUSTOMER's
    shortened term makes records due on the day of the change (a step in the weekly backlog), and
    CONTRACT_ENDED_CUSTOMER's records, due from its contract end, mostly wait in the backlog.
    """
    s, m = plan.seed, plan.retention_records
    start = plan.as_of - timedelta(days=RETENTION_DAYS_BACK)
    start_us, as_of = _us(start), plan.as_of_us
    today = _sql_date(plan.today)
    cleanup = _sql_date(plan.today - timedelta(days=100))
    ended_us = _us(datetime.combine(plan.today - timedelta(days=CONTRACT_ENDED_DAYS_AGO), time(0)))
    customer_case = _pick(_u("i", s, "record customer"),
                          [(f"'{c.customer_id}'", c.weight) for c in plan.customers])
    cur.execute(f"""
        INSERT INTO retention_records (record_id, customer_id, data_category, created_at, last_used_at,
                                       retention_ends_on, disposed_at, disposal_action)
        WITH made AS (
            SELECT i, {customer_case} AS customer_id,
                {_pick(_u('i', s, 'category'), _quoted(_CATEGORIES))} AS data_category,
                -- (i + u) / m is increasing in i, so record ids follow creation time; ^0.8: more lately
                {start_us} + CAST(pow((i + {_u('i', s, 'created')}) / {m}, 0.8) * ({as_of} - {start_us})
                                  AS BIGINT) AS created_us
            FROM range({m}) AS r(i)
        ), used AS (
            -- the customer whose contract ended has no records created after that day
            SELECT * REPLACE (CASE WHEN customer_id = '{CONTRACT_ENDED_CUSTOMER}' AND created_us >= {ended_us}
                                   THEN '{CONTRACT_ENDED_MOVED_TO}' ELSE customer_id END AS customer_id),
                created_us + 1000000 + CAST(pow({_u('i', s, 'used')}, 3)
                      * greatest(0, {as_of} - created_us - 1000000) AS BIGINT) AS last_used_us
            FROM made
        ), ends AS (
            SELECT u.*, t.end_action,
                CASE WHEN {_u('i', s, 'explicit')} < 0.10
                     THEN CAST(make_timestamp(last_used_us) AS DATE)
                          + CAST(30 + 700 * {_u('i', s, 'explicit days')} AS INTEGER) END AS retention_ends_on,
                t.retention_days, tc.changed_on, tc.old_days
            FROM used AS u JOIN customer_retention_terms AS t USING (customer_id, data_category)
            LEFT JOIN demo_term_change AS tc USING (customer_id, data_category)
        ), due AS (
            -- disposal is planned from the end under the terms in force (rules.md 4): after the shortened
            -- term, the later of last use + the new term and the day of the change, unless already due
            SELECT *,
                coalesce(retention_ends_on, CASE
                    WHEN changed_on IS NULL THEN CAST(make_timestamp(last_used_us) AS DATE) + retention_days
                    WHEN CAST(make_timestamp(last_used_us) AS DATE) + old_days < changed_on
                    THEN CAST(make_timestamp(last_used_us) AS DATE) + old_days
                    ELSE greatest(CAST(make_timestamp(last_used_us) AS DATE) + retention_days, changed_on)
                END) AS end_on
            FROM ends
        ), lagged AS (
            SELECT *, date_diff('day', end_on, {today}) AS days_past,
                {_u('i', s, 'never')} < 0.03 AS never_disposed
            FROM due
        ), planned AS (
            SELECT *,
                end_on + CAST(round(
                    CASE WHEN days_past > 540 THEN 6.0
                         WHEN days_past > 100 THEN 6.0 + (540 - days_past) / 440.0 * 170
                         ELSE 20.0 END * (0.3 + 1.4 * {_u('i', s, 'lag')})) AS INTEGER) AS planned_on
            FROM lagged WHERE days_past >= 0
        ), guaranteed AS (
            -- a few records always stay in the backlog, so even the smallest store shows one
            SELECT i, never_disposed OR row_number() OVER (ORDER BY hash(i, CAST({s} AS BIGINT), 'keep'), i) <= 3
                       AS kept,
                CASE WHEN end_on < {cleanup} AND planned_on > {cleanup}
                     THEN {cleanup} + CAST(round(date_diff('day', {cleanup}, planned_on) * 0.3) AS INTEGER)
                     ELSE planned_on END AS disposed_on
            FROM planned
        )
        SELECT 'RR' || lpad(CAST(d.i + 1 AS VARCHAR), 9, '0'), d.customer_id, d.data_category,
            make_timestamp(d.created_us), make_timestamp(d.last_used_us), d.retention_ends_on,
            CASE WHEN NOT g.kept AND g.disposed_on <= {today}
                 THEN CAST(g.disposed_on AS TIMESTAMP)
                      + to_microseconds(CAST((1 + 2 * {_u('d.i', s, 'disposal time')}) * 3600000000 AS BIGINT)) END,
            CASE WHEN NOT g.kept AND g.disposed_on <= {today}
                 THEN CASE d.end_action WHEN 'delete' THEN 'deleted' ELSE 'anonymised' END END
        FROM due AS d LEFT JOIN guaranteed AS g USING (i)
    """)  # noqa: S608 -- only ints, dates and this module's constants are interpolated


# --- store meta ----------------------------------------------------------------------------------

def _insert_store_meta(cur: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    values = {"contents": "demo", "demo_events": str(plan.events), "demo_seed": str(plan.seed),
              "demo_today": plan.today.isoformat(),
              "demo_generated_at": datetime.now(UTC).replace(microsecond=0).isoformat()}
    cur.executemany("INSERT INTO store_meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", list(values.items()))
