"""Fixtures shared by every test layer: small real DuckDB stores in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from privacyops.cases import customers
from privacyops.rules.customer_terms import Customer, RetentionTerm
from privacyops.rules.retention import DATA_CATEGORIES
from privacyops.store import Store, open_store

# Every write in every test compares the store's tables before and after and fails when it changed a kind of data
# it did not name in touches= (privacyops.store.versions): a stale cached figure would follow in use.
os.environ.setdefault("PRIVACYOPS_CHECK_WRITES", "1")


def make_customer(customer_id: str, name: str, forward_days: int = 5, retention_days: int = 365,
                  end_action: str = "delete") -> Customer:
    terms = {c: RetentionTerm(retention_days, end_action) for c in DATA_CATEGORIES}
    return Customer(customer_id, name, "556000-0000", forward_days, terms)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    opened = open_store(store_path)
    yield opened
    opened.close()


@pytest.fixture
def customer_store(store: Store) -> Store:
    """A store with two customers: C01 forwards within 5 working days, C02 within 2."""
    customers.save(store, make_customer("C01", "Testkund Ett AB", 5), actor="fixture@example.com")
    customers.save(store, make_customer("C02", "Testkund Två AB", 2, 90, "anonymise"),
                   actor="fixture@example.com")
    return store


DEMO_EVENTS = 20_000


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo store per test session; tests copy it before writing into it."""
    from privacyops.demo import generator as demo
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    store = open_store(path)
    demo.generate(store, DEMO_EVENTS)
    store.close()
    return path
