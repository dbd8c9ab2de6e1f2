"""Every download the pages offer writes its access-log entry when it is taken (README: "each reveal,
export and explorer query is in the access log"): Explore CSV and Parquet, the SLA breach list, the
retention worklist, the access log itself, the SQL explorer's result, and the import page's problem
preview, run rejects and a past run's rejects.

Streamlit builds a download's file when the button is clicked; the test takes the callables the pages hand
to Streamlit (by file name) and calls them as the click would. A download built at once (bytes, not a
callable) cannot log the click, so it is listed apart and must not exist.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from privacyops.cases import access
from privacyops.explorer import pseudonym, views
from privacyops.store import Store
from tests.app.conftest import open_page

ACTOR = "local.admin@localhost"   # the one local user while sign-in is off


class Downloads:
    """The files the pages offer: deferred (built and logged on click) and built at once (not loggable)."""

    def __init__(self) -> None:
        self.deferred: dict[str, Callable[[], Any]] = {}
        self.built_at_once: list[str] = []


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Downloads:
    found = Downloads()
    deferred, add = MediaFileManager.add_deferred, MediaFileManager.add

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        found.deferred[file_name] = data_callable
        return deferred(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    def add_at_once(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if is_for_static_download:
            found.built_at_once.append(file_name)
        return add(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    monkeypatch.setattr(MediaFileManager, "add", add_at_once)
    return found


def export_entries(store: Store) -> list[tuple[str, str, dict[str, Any]]]:
    with store.cursor() as cur:
        found = cur.execute("SELECT actor, target, detail FROM access_log WHERE event = 'export' "
                            "ORDER BY entry_id").fetchall()
    return [(actor, target, json.loads(detail)) for actor, target, detail in found]


def take_each(store: Store, found: Downloads) -> dict[str, tuple[str, dict[str, Any]]]:
    """Click every download the page offers; each must add exactly one export entry naming its size."""
    assert found.built_at_once == [], f"built without logging the download: {found.built_at_once}"
    assert export_entries(store) == [], "an export was logged before anyone clicked"
    taken: dict[str, tuple[str, dict[str, Any]]] = {}
    for file_name, build in found.deferred.items():
        before = len(export_entries(store))
        data = build()
        after = export_entries(store)
        assert len(after) == before + 1, file_name
        actor, target, detail = after[-1]
        assert actor == ACTOR
        assert detail["bytes"] == len(data) > 0
        taken[file_name] = (target, detail)
    assert access.verify_access_log(store) == []
    return taken


def targets(taken: dict[str, tuple[str, dict[str, Any]]]) -> list[str]:
    return sorted(target for target, _ in taken.values())


def test_explore_csv_and_parquet(demo_app_store, downloads):
    at = open_page("pages/explore.py")
    assert not at.exception, at.exception
    taken = take_each(demo_app_store, downloads)
    assert targets(taken) == ["consent_records.csv", "consent_records.parquet"]
    assert {name.rsplit(".", 1)[1] for name in taken} == {"csv", "parquet"}


def test_sla_breach_list(demo_app_store, downloads):
    at = open_page("pages/slas.py")
    assert not at.exception, at.exception
    taken = take_each(demo_app_store, downloads)
    assert targets(taken) == ["sla_breaches"]


def test_retention_worklist(demo_app_store, downloads):
    at = open_page("pages/retention.py")
    assert not at.exception, at.exception
    assert targets(take_each(demo_app_store, downloads)) == ["retention_worklist"]


def test_access_log(demo_app_store, downloads):
    access.log_event(demo_app_store, actor="dpo@example.com", event="sign_in")
    at = open_page("pages/access.py")
    assert not at.exception, at.exception
    assert targets(take_each(demo_app_store, downloads)) == ["access_log"]


def test_sql_explorer_result(demo_app_store, downloads, monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, "app-test-pseudonym-key-0123456789")
    at = open_page("pages/sql.py")
    at.text_area(key="explorer_sql").set_value(views.EXAMPLE_SQL)
    at.button(key="explorer_run").click()
    at.run()
    assert not at.exception, at.exception
    taken = take_each(demo_app_store, downloads)
    assert targets(taken) == ["sql_explorer"]
    (detail,) = [d for _, d in taken.values()]
    assert detail["sql"] == views.EXAMPLE_SQL


HEADER = ("consent_id,customer_id,subject_id,given_at,method,policy_version,source,country,"
          "necessary,functional,analytics,marketing")
WITH_A_PROBLEM = "\n".join([
    HEADER,
    "CR1,C01,S1,2025-03-05T10:00:00Z,accept_all,2025-09,banner,SE,true,true,true,true",
    "CR2,C99,S2,2025-03-05T10:00:00Z,accept_all,2025-09,banner,SE,true,true,true,true",
]).encode() + b"\n"


def _upload(at: AppTest) -> AppTest:
    at.selectbox(key="imp_kind").set_value("consent")
    at.run()
    at.file_uploader(key="imp_file").set_value(("consent.csv", WITH_A_PROBLEM, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def test_import_problem_preview_rejects_and_a_past_run_s_rejects(customers_app_store, downloads, tmp_path,
                                                                 monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    at = _upload(open_page("pages/import.py"))
    taken = take_each(customers_app_store, downloads)
    assert targets(taken) == ["import problems preview"]
    assert [d["file"] for _, d in taken.values()] == ["consent.csv"]

    downloads.deferred.clear()
    at.button(key="imp_go").click()
    at.run()
    assert not at.exception, at.exception
    with customers_app_store.cursor() as cur:
        run_id = cur.execute("SELECT max(run_id) FROM import_runs").fetchone()[0]
    result = {name: build for name, build in downloads.deferred.items() if name == f"import-run-{run_id}-rejects.csv"}
    assert result, list(downloads.deferred)
    before = len(export_entries(customers_app_store))
    result[f"import-run-{run_id}-rejects.csv"]()
    entries = export_entries(customers_app_store)
    assert len(entries) == before + 1 and entries[-1][1:] == ("import rejects", {**entries[-1][2], "run_id": run_id})

    # A past run picked in the list of runs offers its rejects too.
    downloads.deferred.clear()
    at = open_page("pages/import.py")
    table = at.dataframe(key="imp_runs")
    at.session_state[table.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert list(downloads.deferred) == [f"import-run-{run_id}-rejects.csv"]
    before = len(export_entries(customers_app_store))
    data = downloads.deferred[f"import-run-{run_id}-rejects.csv"]()
    entries = export_entries(customers_app_store)
    assert len(entries) == before + 1
    assert entries[-1] == (ACTOR, "import rejects", {"run_id": run_id, "bytes": len(data)})
