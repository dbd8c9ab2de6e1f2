"""The Explore page through AppTest: empty store, and on demo data the totals, the preview and both downloads
against SQL written directly on consent_records; no subject id anywhere."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pyarrow.parquet as pq
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from privacyops import clock
from privacyops.demo import generator as demo
from privacyops.store import Store
from tests.app.conftest import open_page, texts
from ui.format import fmt_int

PAGE = "pages/explore.py"


def count(store: Store, where: str = "TRUE") -> int:
    """Records in the default date range meeting `where` (a condition written in this file)."""
    start, end = default_range()
    statement = f"SELECT count(*) FROM consent_records WHERE CAST(given_at AS DATE) BETWEEN $s AND $e AND {where}"  # noqa: S608 - conditions from this file
    with store.cursor() as cur:
        return cur.execute(statement, {"s": start, "e": end}).fetchone()[0]


def default_range() -> tuple[date, date]:
    today = clock.today()
    return today - timedelta(days=364), today


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The callables the page hands to st.download_button, by file name (Streamlit runs them on a click)."""
    captured: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        captured[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return captured


def test_empty_store_shows_an_empty_state(empty_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert "no consent records" in texts(at).lower()
    assert not at.get("download_button")


def test_demo_totals_preview_and_chart(demo_app_store):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    total = count(demo_app_store)
    assert total > 1_000
    shown = metrics(at)
    assert shown["Records"] == fmt_int(total)
    assert shown["Not consent"] == fmt_int(count(demo_app_store, "method IN ('implied', 'pre_ticked')"))
    assert shown["Withdrawals"] == fmt_int(count(demo_app_store, "method = 'withdrawal'"))
    preview = at.dataframe[0].value
    assert len(preview) == 1_000
    assert "subject_id" not in preview.columns and "requester_email" not in preview.columns
    assert f"The newest 1 000 of {fmt_int(total)}" in texts(at)
    assert len(at.get("vega_lite_chart")) == 1
    assert [b.proto.label for b in at.get("download_button")] == [
        f"⬇️ Download {fmt_int(total)} records (CSV)", f"⬇️ Download {fmt_int(total)} records (Parquet)"]


def test_filters_narrow_every_figure(demo_app_store):
    at = open_page(PAGE)
    at.multiselect(key="explore_countries").set_value(["SE", "NO"])
    at.multiselect(key="explore_methods").set_value(["accept_all", "custom"])
    at.multiselect(key="explore_purposes").set_value(["marketing"])
    at.multiselect(key="explore_sources").set_value(["banner"])
    at.run()
    assert not at.exception, at.exception
    where = ("country IN ('SE', 'NO') AND method IN ('accept_all', 'custom') AND marketing AND source = 'banner'")
    assert metrics(at)["Records"] == fmt_int(count(demo_app_store, where))
    preview = at.dataframe[0].value
    assert set(preview["country"]) <= {"SE", "NO"} and preview["marketing"].all()
    assert set(preview["method"]) <= {"Accept all", "Custom choice"}


def test_policy_version_filter_and_no_match(demo_app_store):
    at = open_page(PAGE)
    versions = at.multiselect(key="explore_policy_versions").options
    # in the order they appeared; the demo's last one is one customer's policy from six days ago (issue 8)
    recent = (clock.today() - timedelta(days=demo.RECENT_POLICY_DAYS_BACK)).isoformat()
    assert versions == ["2024-05", "2025-09", recent]
    at.multiselect(key="explore_policy_versions").set_value(["2025-09"])
    at.run()
    assert metrics(at)["Records"] == fmt_int(count(demo_app_store, "policy_version = '2025-09'"))
    at.multiselect(key="explore_countries").set_value(["IS"])
    at.multiselect(key="explore_methods").set_value(["pre_ticked"])   # pre-ticked boxes ended with 2024-05
    at.run()
    assert not at.exception, at.exception
    assert "No consent records match these filters" in texts(at)


def test_downloads_hold_the_whole_filtered_set(demo_app_store, downloads):
    at = open_page(PAGE)
    at.multiselect(key="explore_countries").set_value(["SE"])
    at.run()
    assert not at.exception, at.exception
    start, end = default_range()
    expected = count(demo_app_store, "country = 'SE'")
    assert expected > 1_000                            # more than the preview
    stem = f"consent-records-all-{start.isoformat()}-{end.isoformat()}"
    assert set(downloads) == {f"{stem}.csv", f"{stem}.parquet"}

    rows = list(csv.DictReader(io.StringIO(downloads[f"{stem}.csv"]().decode("utf-8"))))
    assert len(rows) == expected
    assert {r["country"] for r in rows} == {"SE"}
    assert "subject_id" not in rows[0]
    table = pq.read_table(io.BytesIO(downloads[f"{stem}.parquet"]()))
    assert table.num_rows == expected and "subject_id" not in table.column_names
    with demo_app_store.cursor() as cur:
        ids = {r[0] for r in cur.execute(
            "SELECT consent_id FROM consent_records WHERE CAST(given_at AS DATE) BETWEEN $s AND $e AND country = 'SE'",
            {"s": start, "e": end}).fetchall()}
    assert set(table.column("consent_id").to_pylist()) == ids == {r["consent_id"] for r in rows}
