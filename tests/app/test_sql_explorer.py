"""The SQL explorer page in AppTest: an empty store (empty state, the views still listed), and the demo store,
where a query's result equals the same figures computed here by independent SQL on the base tables, refusals
are shown and logged, saved queries round-trip, rows are capped, and no email address reaches the page."""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from privacyops.explorer import pseudonym, views
from privacyops.explorer import sandbox as explorer
from privacyops.store import Store
from tests.app.conftest import ROOT, open_page, texts
from ui.nav import PAGES

PAGE = "pages/sql.py"
KEY = "app-test-pseudonym-key-0123456789"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(pseudonym.KEY_ENV, KEY)
    return KEY


def open_explorer() -> AppTest:
    """Through the navigation once ui/nav.py lists the page; the page file itself until then."""
    if any(spec.path == PAGE for spec in PAGES):
        return open_page(PAGE)
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    at.run()
    return at


def run_sql(at: AppTest, sql: str) -> AppTest:
    at.text_area(key="explorer_sql").set_value(sql)
    at.button(key="explorer_run").click()
    at.run()
    assert not at.exception, at.exception
    return at


def result_frame(at: AppTest) -> pd.DataFrame:
    """The result table (the schema tables come first, inside the expander)."""
    return at.dataframe[-1].value


def code_texts(at: AppTest) -> str:
    return "\n".join(str(c.value) for c in at.code)


def explorer_log(store: Store) -> list[dict[str, Any]]:
    with store.cursor() as cur:
        found = cur.execute("SELECT actor, target, detail FROM access_log WHERE event = 'explorer_query' "
                            "ORDER BY entry_id").fetchall()
    return [{"actor": a, "target": t, **json.loads(d)} for a, t, d in found]


# --- the empty store ---------------------------------------------------------------------------------

def test_empty_store_shows_the_views_and_an_empty_state(empty_app_store):
    at = open_explorer()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "SQL explorer" in shown
    assert "The store holds no records yet" in shown
    assert [tab.label for tab in at.tabs] == list(views.VIEW_NAMES)
    consent_columns = at.dataframe[0].value
    assert "subject_key" in list(consent_columns["column"]) and "subject_id" not in list(consent_columns["column"])
    assert at.text_area(key="explorer_sql").value == views.EXAMPLE_SQL
    assert "no saved queries yet" in shown
    run_sql(at, views.EXAMPLE_SQL)
    assert "The query ran and returned no rows." in texts(at)
    assert explorer_log(empty_app_store)[0]["rows"] == 0


# --- the demo store --------------------------------------------------------------------------------

CONSENT_BY_CUSTOMER = """
SELECT customer_id,
       count(*) FILTER (WHERE method <> 'withdrawal') AS decisions,
       count(*) FILTER (WHERE method IN ('accept_all', 'reject_all', 'custom') AND analytics)
           / count(*) FILTER (WHERE method <> 'withdrawal') AS analytics_rate
FROM consent_records
GROUP BY customer_id
ORDER BY customer_id
"""


def test_demo_result_equals_independent_sql_and_is_logged(demo_app_store):
    at = open_explorer()
    assert not at.exception, at.exception
    assert "Demo data" in texts(at)
    run_sql(at, views.EXAMPLE_SQL)
    shown = result_frame(at)
    with demo_app_store.cursor() as cur:
        expected = cur.execute(CONSENT_BY_CUSTOMER).df()
    assert list(shown["customer_id"]) == list(expected["customer_id"])
    assert list(shown["decisions"]) == list(expected["decisions"])
    assert list(shown["analytics_rate"].round(9)) == list(expected["analytics_rate"].round(9))
    assert f"{len(expected)} rows in" in texts(at)
    assert at.get("download_button"), "the CSV download is offered"
    log = explorer_log(demo_app_store)
    assert log == [{"actor": "local.admin@localhost", "target": "sql", "sql": views.EXAMPLE_SQL,
                    "rows": len(expected), "truncated": False}]


def test_demo_requests_are_pseudonymised_and_no_email_reaches_the_page(demo_app_store):
    at = open_explorer()
    run_sql(at, "SELECT * FROM request_clock ORDER BY request_id")
    shown = result_frame(at)
    with demo_app_store.cursor() as cur:
        base = cur.execute("SELECT request_id, subject_id, requester_email FROM requests ORDER BY request_id").df()
    assert list(shown["request_id"]) == list(base["request_id"])
    first = base.iloc[0]
    assert shown.iloc[0]["subject_key"] == pseudonym.pseudonym(KEY, first["subject_id"])
    assert "@" in first["requester_email"]
    cells = [str(v) for v in shown.to_numpy().ravel()] + [str(c) for c in shown.columns]
    assert not [c for c in cells if "@" in c]
    everything = texts(at) + code_texts(at)
    assert not [e for e in EMAIL.findall(everything) if e != "local.admin@localhost"]


def test_refusals_are_shown_logged_and_the_page_stays_usable(demo_app_store):
    at = open_explorer()
    run_sql(at, "DROP VIEW consent_facts")
    assert "The explorer refused this query" in texts(at)
    assert "DROP removes objects" in code_texts(at)
    run_sql(at, "SELECT * FROM requests")
    assert "No such view or function" in texts(at)
    run_sql(at, "SELECT count(*) AS n FROM consent_facts")
    with demo_app_store.cursor() as cur:
        total = cur.execute("SELECT count(*) FROM consent_records").fetchone()[0]
    assert result_frame(at)["n"].tolist() == [total]
    log = explorer_log(demo_app_store)
    assert [(e["sql"], e["rows"], e.get("refused")) for e in log] == [
        ("DROP VIEW consent_facts", None, "The explorer refused this query"),
        ("SELECT * FROM requests", None, "No such view or function"),
        ("SELECT count(*) AS n FROM consent_facts", 1, None),
    ]


def test_rows_are_capped_with_a_warning(demo_app_store):
    at = open_explorer()
    run_sql(at, "SELECT range AS n FROM range(25000)")
    assert len(result_frame(at)) == explorer.DEFAULT_MAX_ROWS
    assert any("Only the first 10,000 rows" in w.value for w in at.warning)
    assert explorer_log(demo_app_store)[-1]["truncated"] is True


def test_save_list_and_load_a_team_query(demo_app_store):
    at = open_explorer()
    sql = "SELECT country, count(*) AS n FROM consent_facts GROUP BY country ORDER BY n DESC"
    at.text_area(key="explorer_sql").set_value(sql)
    at.text_input(key="explorer_title").set_value("Records per country")
    at.button(key="explorer_save").click()
    at.run()
    assert not at.exception, at.exception
    assert "Saved for the team." in texts(at)
    with demo_app_store.cursor() as cur:
        saved = cur.execute("SELECT query_id, title, sql_text, saved_by FROM saved_queries").fetchall()
    assert [s[1:] for s in saved] == [("Records per country", sql, "local.admin@localhost")]
    # Someone else opens the page: the query is listed (by name, no email) and picking it loads it.
    other = open_explorer()
    picker = other.selectbox(key="explorer_pick")
    assert picker.options[0].startswith("Records per country · local.admin · ")
    other.text_area(key="explorer_sql").set_value("SELECT 1")
    other.run()
    other.selectbox(key="explorer_pick").select(saved[0][0])
    other.run()
    assert other.text_area(key="explorer_sql").value == sql


def test_a_refused_query_is_not_saved(demo_app_store):
    at = open_explorer()
    at.text_area(key="explorer_sql").set_value("DELETE FROM customers")
    at.text_input(key="explorer_title").set_value("Oops")
    at.button(key="explorer_save").click()
    at.run()
    assert "Not saved." in [e.value for e in at.error]
    assert "DELETE and TRUNCATE change data" in code_texts(at)
    with demo_app_store.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM saved_queries").fetchone() == (0,)


def test_refresh_takes_a_new_snapshot(demo_app_store):
    at = open_explorer()
    run_sql(at, "SELECT count(*) AS n FROM consent_facts")
    before = int(result_frame(at)["n"].iloc[0])
    demo_app_store.write(lambda cur: cur.execute(
        "INSERT INTO consent_records VALUES ('CRNEW', 'C01', 'subj_new', TIMESTAMP '2026-01-20 10:00:00', "
        "'custom', '2025-09', 'api', 'NO', true, true, false, false)"))
    run_sql(at, "SELECT count(*) AS n FROM consent_facts")
    assert int(result_frame(at)["n"].iloc[0]) == before, "queries run on the snapshot"
    at.button(key="explorer_refresh").click()
    at.run()
    run_sql(at, "SELECT count(*) AS n FROM consent_facts")
    assert int(result_frame(at)["n"].iloc[0]) == before + 1
    assert "Snapshot taken less than a minute ago" in texts(at)


def test_without_a_configured_key_the_page_says_pseudonyms_change_on_restart(demo_app_store, monkeypatch):
    monkeypatch.delenv(pseudonym.KEY_ENV)
    at = open_explorer()
    assert not at.exception, at.exception
    assert any("No pseudonym key is configured" in w.value for w in at.warning)


def test_a_too_short_key_turns_the_explorer_off(demo_app_store, monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, "short")
    at = open_explorer()
    assert not at.exception, at.exception
    assert "The pseudonym key cannot be used, so the explorer is off." in [e.value for e in at.error]
    assert not at.text_area
