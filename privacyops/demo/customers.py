"""The demo's 12 customers: invented names and org numbers (failing the Luhn check, so none can be a real
company), their forwarding terms and retention terms, and the retention instructions the demo shows
(a shortened term and an ended contract, rules.md 4).
"""


# no value from people or files goes into it.

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import duckdb

from privacyops import clock
from privacyops.demo.plan import (
    CONTRACT_ENDED_CUSTOMER,
    CONTRACT_ENDED_DAYS_AGO,
    DEMO_ACTOR,
    RETENTION_DAYS_BACK,
    TERM_CHANGE_CUSTOMER,
    TERM_CHANGE_DAYS_AGO,
    TERM_CHANGE_NEW_DAYS,
    Plan,
    check_same_names,
)
from privacyops.rules.retention import DATA_CATEGORIES, END_ACTIONS
from privacyops.store.sql import date_literal, literal

# Data categories with their share of the retention records (the order is the demo's: it fixes the draws).
CATEGORIES = (("email", 0.25), ("name", 0.25), ("company_details", 0.20), ("user_data", 0.15),
              ("quote_content", 0.15))
check_same_names((c for c, _ in CATEGORIES), DATA_CATEGORIES, "data categories")
_RETENTION_CHOICES = (90, 180, 180, 365, 365, 365, 540, 730, 730, 1095, 1825)
# Which categories lean to anonymising (positive) or deleting (negative), on top of the customer's bias.
_ANONYMISE_LEAN = {"quote_content": 0.3, "user_data": 0.15, "email": -0.25, "name": -0.15}
_ANONYMISE, _DELETE = "anonymise", "delete"
check_same_names((_ANONYMISE, _DELETE), END_ACTIONS, "retention end actions")

TermRow = tuple[str, str, int, str]   # customer_id, data_category, retention_days, end_action


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


def insert_customers(cur: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """12 customers with invented names and org numbers, their forwarding term and retention terms."""
    rng = random.Random(f"{plan.seed}:terms")
    customer_rows, term_rows = [], []
    for c in plan.customers:
        onboarded = plan.as_of - timedelta(days=RETENTION_DAYS_BACK + rng.randrange(30, 900),
                                           minutes=rng.randrange(8 * 60, 17 * 60))
        customer_rows.append((c.customer_id, c.name, _invented_org_number(rng), rng.randint(2, 10), onboarded))
        anonymise_bias = rng.uniform(0.1, 0.9)  # some customers prefer anonymising, others deleting
        for category, _ in CATEGORIES:
            days = rng.choice(_RETENTION_CHOICES)
            lean = _ANONYMISE_LEAN.get(category, 0.0)
            action = _ANONYMISE if rng.random() < anonymise_bias + lean else _DELETE
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


def _term_change(plan: Plan, term_rows: Sequence[TermRow]) -> tuple[str, int, date]:
    """The demo's shortened term: the longest term of TERM_CHANGE_CUSTOMER -> (category, old days, day)."""
    category, days = max(((cat, days) for cid, cat, days, _ in term_rows if cid == TERM_CHANGE_CUSTOMER),
                         key=lambda t: (t[1], t[0]))
    return category, days, plan.today - timedelta(days=TERM_CHANGE_DAYS_AGO)


def _insert_retention_instructions(cur: duckdb.DuckDBPyConnection, plan: Plan, term_rows: Sequence[TermRow]) -> None:
    """The shortened term (the new term stored, the change in the change log) and the contract end;
    demo_term_change keeps the old term for the retention records, planned under the terms in force."""
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
    cur.execute(f"CREATE TEMP TABLE demo_term_change AS SELECT {literal(TERM_CHANGE_CUSTOMER)} AS customer_id, "
                f"{literal(category)} AS data_category, {date_literal(changed_on)} AS changed_on, "
                f"{int(old_days)} AS old_days")
