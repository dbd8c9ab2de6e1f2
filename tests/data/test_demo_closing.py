"""The demo shows the closing cases of issue 8, at its smallest size and at two seeds: an erasure refused on a
ground every right shares, refusals with their notice (Art. 12(4)), a completed erasure whose recipients were
told and an open rectification whose recipients are not yet told (Art. 19); its history says the same."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from privacyops.demo import generator as demo
from privacyops.rules import lifecycle
from privacyops.store import Store, open_store

TODAY = date(2026, 3, 18)


@pytest.fixture(scope="module", params=[demo.DEFAULT_SEED, 7])
def small_demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = open_store(tmp_path_factory.mktemp("demo_closing") / "demo.duckdb")
    demo.generate(store, 2_000, seed=request.param, today=TODAY)   # the smallest demo: 40 requests
    yield store
    store.close()


def rows(store: Store, sql: str) -> list[tuple]:
    with store.cursor() as cur:
        return cur.execute(sql).fetchall()


def test_erasures_are_refused_on_grounds_lifecycle_allows_one_on_a_common_ground(small_demo):
    refused = rows(small_demo, "SELECT request_type, refusal_ground FROM requests WHERE status = 'refused'")
    for request_type, ground in refused:
        assert lifecycle.check_refusal_ground(request_type, ground) == ground
    erasure_grounds = {g for t, g in refused if t == "erasure"}
    assert erasure_grounds & set(lifecycle.GROUNDS_FOR_EVERY_RIGHT)


def test_every_refusal_has_its_notice(small_demo):
    refused, with_notice = rows(small_demo, """
        SELECT count(*), count(*) FILTER (WHERE refusal_reasons IS NOT NULL AND refusal_remedies_told
                                           AND refusal_notified_at BETWEEN received_at AND updated_at)
        FROM requests WHERE status = 'refused'""")[0]
    assert refused > 0 and with_notice == refused
    assert rows(small_demo, "SELECT count(*) FROM requests WHERE status <> 'refused' AND (refusal_reasons "
                            "IS NOT NULL OR refusal_remedies_told IS NOT NULL OR refusal_notified_at IS NOT NULL)"
                ) == [(0,)]


def test_recipients_told_before_completion_and_an_open_rectification_not_yet_told(small_demo):
    # every completed rectification, erasure or restriction recorded its recipients; one erasure told them
    assert rows(small_demo, """
        SELECT count(*) FROM requests
        WHERE outcome = 'completed' AND recipients_pending(request_type, outcome, recipients_notice)""") == [(0,)]
    assert rows(small_demo, """
        SELECT count(*) > 0 FROM requests WHERE request_type = 'erasure' AND outcome = 'completed'
            AND recipients_notice = 'told' AND recipients_told_at BETWEEN received_at AND closed_at""") == [(True,)]
    assert rows(small_demo, """
        SELECT count(*) > 0 FROM requests WHERE request_type = 'rectification' AND status = 'in_progress'
            AND recipients_pending(request_type, outcome, recipients_notice)""") == [(True,)]
    assert rows(small_demo, "SELECT count(*) FROM requests WHERE recipients_notice IS NOT NULL "
                            "AND NOT (tells_recipients(request_type) AND outcome = 'completed')") == [(0,)]


def test_history_records_the_notices_as_the_app_writes_them(small_demo):
    entries = rows(small_demo, """
        SELECT h.action, h.changes, h.recorded_at, r.recipients_notice, r.recipients_told_at, r.closed_at,
               r.refusal_reasons
        FROM request_history AS h JOIN requests AS r USING (request_id)
        WHERE h.action IN ('record_recipients', 'refuse')""")
    recorded = [e for e in entries if e[0] == "record_recipients"]
    assert recorded
    for _, changes, at, notice, told_at, closed_at, _ in recorded:
        expected = {"recipients_notice": [None, notice]}
        if told_at is not None:
            expected["recipients_told_at"] = [None, told_at.isoformat()]
        assert json.loads(changes) == expected and at < closed_at
    for _, changes, _, _, _, _, reasons in (e for e in entries if e[0] == "refuse"):
        # the reasons are free text to the requester: recorded in the request, never in the history
        assert reasons and json.loads(changes)["refusal_reasons"] == [None, "(recorded; not kept in the history)"]
        assert json.loads(changes)["refusal_remedies_told"] == [None, True]


def test_the_demo_template_shows_the_cases_on_the_requests_page(demo_template: Path, tmp_path: Path):
    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(demo_template.read_bytes())
    store = open_store(copy)
    try:
        summary = store.query("requests_queue_summary", as_of=TODAY, soon_days=5, customer="").iloc[0]
        assert int(summary["recipients_pending"]) >= 1
    finally:
        store.close()
