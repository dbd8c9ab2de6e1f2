"""Privacy Ops' own retention: requester contact details are anonymised when the evidence period ends."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from privacyops.cases import access, contacts, request_actions, requests
from privacyops.cases.requests import NewRequest
from privacyops.store import history

AGENT = "agent@example.com"


def logged(store, received: datetime, email: str, subject_id: str = "") -> str:
    return requests.log(store, NewRequest("C01", "access", received, "email", email, "Test Person",
                                          subject_id=subject_id, description="Please send my data"),
                        actor=AGENT).request_id


def closed(store, received: datetime, email: str, subject_id: str = "") -> str:
    request_id = logged(store, received, email, subject_id)
    for action, days in (("forward", 1), ("start", 2), ("complete", 10)):
        request_actions.apply(store, request_id, action, actor=AGENT, at=received + timedelta(days=days))
    return request_id


def test_contacts_are_anonymised_after_the_evidence_period(customer_store):
    old = logged(customer_store, datetime(2023, 1, 10, 9, tzinfo=UTC), "old.requester@example.com")
    for action, day in (("forward", 11), ("start", 12), ("complete", 20)):
        request_actions.apply(customer_store, old, action, actor=AGENT, at=datetime(2023, 1, day, 9, tzinfo=UTC))
    recent = logged(customer_store, datetime(2025, 6, 2, 9, tzinfo=UTC), "recent.requester@example.com")
    for action, day in (("forward", 3), ("start", 4), ("complete", 5)):
        request_actions.apply(customer_store, recent, action, actor=AGENT, at=datetime(2025, 6, day, 9, tzinfo=UTC))
    still_open = logged(customer_store, datetime(2023, 1, 10, 10, tzinfo=UTC), "open.requester@example.com")

    summary = customer_store.query("own_contacts_summary", as_of=date(2026, 11, 25), evidence_years=2).iloc[0]
    assert (summary.held_open, summary.held_closed, summary.due_for_anonymisation) == (1, 1, 1)

    # Closed 20 January 2023: the two years end on 20 January 2025.
    assert contacts.anonymise_expired_contacts(customer_store, today=date(2025, 1, 19), actor="system") == 0
    assert contacts.anonymise_expired_contacts(customer_store, today=date(2025, 1, 20), actor="system") == 1

    detail = customer_store.query("request_detail", request_id=old).iloc[0]
    assert detail.requester_email is None and detail.requester_name is None and detail.description is None
    assert detail.contact_anonymised_at is not None and detail.outcome == "completed"
    for other, email in ((recent, "recent.requester@example.com"), (still_open, "open.requester@example.com")):
        assert customer_store.query("request_detail", request_id=other).iloc[0].requester_email == email
    assert customer_store.query("request_history", request_id=old)["action"].iloc[-1] == "anonymise"
    assert requests.verify_history(customer_store) == []
    log = customer_store.query("access_log_chain")
    assert log["event"].tolist() == ["anonymise"] and access.verify_access_log(customer_store) == []
    # Nothing more to do the next day.
    assert contacts.anonymise_expired_contacts(customer_store, today=date(2025, 1, 21), actor="system") == 0


def test_subject_ids_are_anonymised_with_the_contact_details(customer_store):
    """rules.md 4: the subject id is the dashboard's own personal data too; it goes when the evidence period ends."""
    old = closed(customer_store, datetime(2023, 1, 10, 9, tzinfo=UTC), "old.requester@example.com", "subj-0001-old")
    recent = closed(customer_store, datetime(2025, 6, 2, 9, tzinfo=UTC), "new.requester@example.com", "subj-0002-new")
    summary = customer_store.query("own_contacts_summary", as_of=date(2025, 1, 20), evidence_years=2).iloc[0]
    assert (summary.held_closed, summary.due_for_anonymisation) == (1, 1)

    assert contacts.anonymise_expired_contacts(customer_store, today=date(2025, 1, 20), actor="system") == 1
    assert customer_store.query("request_detail", request_id=old).iloc[0].subject_id is None
    assert customer_store.query("request_detail", request_id=recent).iloc[0].subject_id == "subj-0002-new"
    last = customer_store.query("request_history", request_id=old).iloc[-1]
    assert last.action == "anonymise" and json.loads(last.changes)["subject_id"] == [history.REDACTED, None]
    assert requests.verify_history(customer_store) == []


def test_a_subject_id_left_by_an_earlier_anonymisation_goes_too(customer_store):
    """Requests anonymised before subject ids were included kept them: the next run removes them and keeps
    the date the contact details went."""
    done = closed(customer_store, datetime(2023, 1, 10, 9, tzinfo=UTC), "done.requester@example.com", "subj-0003")
    earlier = datetime(2025, 2, 1, 3)
    customer_store.write(lambda cur: cur.execute(   # what own retention did before: subject id left behind
        "UPDATE requests SET requester_email = NULL, requester_name = NULL, description = NULL, "
        "contact_anonymised_at = $at WHERE request_id = $id", {"at": earlier, "id": done}))
    summary = customer_store.query("own_contacts_summary", as_of=date(2025, 3, 1), evidence_years=2).iloc[0]
    assert (summary.due_for_anonymisation, summary.anonymised) == (1, 1)

    assert contacts.anonymise_expired_contacts(customer_store, today=date(2025, 3, 1), actor="system") == 1
    detail = customer_store.query("request_detail", request_id=done).iloc[0]
    assert detail.subject_id is None and detail.contact_anonymised_at == earlier
    assert contacts.anonymise_expired_contacts(customer_store, today=date(2025, 3, 2), actor="system") == 0


def test_request_import_rejects_lose_their_values_after_90_days(tmp_path):
    from pathlib import Path

    from privacyops.importing.pipeline import run_import
    from privacyops.importing.read import inspect_file
    from privacyops.store import open_store

    samples = Path(__file__).resolve().parents[2] / "data" / "samples"
    bad = tmp_path / "requests.csv"
    text = (samples / "requests.csv").read_text("utf-8")
    first_email = text.splitlines()[1].split(",")[5]
    bad.write_text(text.replace(first_email, "not-an-address.secret@", 1), "utf-8")
    store = open_store(tmp_path / "s.duckdb")
    try:
        for kind, path in (("customers", samples / "customers.csv"), ("requests", bad)):
            report = run_import(store, path, kind, inspect_file(path).default_options(),
                                actor="t@example.com")
        assert report.rejected == 1
        assert contacts.anonymise_expired_contacts(store, today=date.today(), actor="system") == 0
        with store.cursor() as cur:
            assert cur.execute("SELECT count(*) FROM import_rejects WHERE record LIKE '%secret@%'").fetchone()[0] == 1
        store.write(lambda cur: cur.execute("UPDATE import_runs SET finished_at = finished_at - INTERVAL 91 DAY"))
        contacts.anonymise_expired_contacts(store, today=date.today(), actor="system")
        with store.cursor() as cur:
            left = cur.execute("SELECT count(*), count(value), count(record) FROM import_rejects").fetchone()
        assert left[0] >= 1 and left[1:] == (0, 0)   # line, column and reason stay; the copied values do not
    finally:
        store.close()
