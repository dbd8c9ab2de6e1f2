"""AppTest fixtures: the real app.py against real DuckDB files (empty, customers only, demo data)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from privacyops.cases import customers
from privacyops.store import Store, open_store
from tests.conftest import make_customer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_streamlit_caches() -> Iterator[None]:
    """Streamlit's caches outlive an AppTest: start and end every test without them."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _use(path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("PRIVACYOPS_DB", str(path))
    monkeypatch.chdir(ROOT)
    return open_store(path)


@pytest.fixture
def empty_app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A brand-new store: every page must show a helpful empty state, not an error."""
    return _use(tmp_path / "empty.duckdb", monkeypatch)


@pytest.fixture
def customers_app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """Two customers and nothing else (for the forms)."""
    store = _use(tmp_path / "customers.duckdb", monkeypatch)
    customers.save(store, make_customer("C01", "Testkund Ett AB", 5), actor="fixture@example.com")
    customers.save(store, make_customer("C02", "Testkund Två AB", 2, 90, "anonymise"),
                   actor="fixture@example.com")
    return store


@pytest.fixture
def demo_app_store(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, copy)
    return _use(copy, monkeypatch)


def open_page(path: str) -> AppTest:
    """Run app.py, then switch to the page as a user clicking it in the navigation would."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    at.switch_page(path)
    at.run()
    return at


def texts(at: AppTest) -> str:
    """Everything a user reads on the page, as one string (for 'is this shown' checks)."""
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + [t.value for t in at.title]
    parts += [h.value for h in at.header] + [h.value for h in at.subheader]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [s.value for s in at.success]
    parts += [f"{m.label}: {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)
