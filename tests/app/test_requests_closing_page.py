"""Requests page (AppTest), closing a request (issue 8): the refusal form with its notice (Art. 12(4)),
erasure refused on a ground every right shares, the Art. 19 recipients action, the queue's
"recipients not yet told" column, tile and filter. Each test checks what the user sees and what landed."""

from __future__ import annotations

from datetime import UTC, datetime

from privacyops.cases import request_actions, requests
from privacyops.rules import lifecycle
from tests.app.conftest import open_page, texts
from tests.app.test_requests_page import AGENT, PAGE, act, history, log, offered, pick, queue_table


def shown(at) -> str:
    """What the user reads, including the plain text (st.text) stored values are shown in."""
    return texts(at) + "\n" + "\n".join(t.value for t in at.text)


def stored(store, request_id: str, columns: str) -> tuple:
    with store.cursor() as cur:
        return cur.execute(f"SELECT {columns} FROM requests WHERE request_id = $id",  # noqa: S608
                           {"id": request_id}).fetchone()


def test_erasure_refused_for_identity_with_its_notice_shown_on_the_detail(customers_app_store):
    store = customers_app_store
    rid = log(store, kind="erasure", days_ago=3)
    request_actions.apply(store, rid, "forward", actor=AGENT)
    at = pick(open_page(PAGE), rid)
    at.selectbox(key=f"rq_action_{rid}").set_value("refuse").run()
    options = list(at.selectbox(key=f"rq_{rid}_refuse_ground").options)
    assert lifecycle.REFUSAL_GROUNDS["identity_not_confirmed"] in options
    assert lifecycle.REFUSAL_GROUNDS["no_art17_1_ground"] in options
    assert lifecycle.REFUSAL_GROUNDS["no_data_held"] not in options
    act(at, rid, "refuse", ground="identity_not_confirmed", reasons="We could not confirm who you are.",
        remedies=True)
    assert not at.error, [e.value for e in at.error]
    assert history(store, rid) == ["create", "forward", "refuse"]
    ground, reasons, remedies, told = stored(
        store, rid, "refusal_ground, refusal_reasons, refusal_remedies_told, refusal_notified_at")
    assert (ground, reasons, remedies) == ("identity_not_confirmed", "We could not confirm who you are.", True)
    assert told is not None and told <= datetime.now(UTC).replace(tzinfo=None)   # stored as naive UTC
    # the detail shows the notice (switch on closed requests to pick it again)
    at.toggle(key="rq_closed").set_value(True).run()
    pick(at, rid)
    page = shown(at)
    assert "Identity could not be confirmed (Arts. 11(2), 12(6))" in page
    assert "Reasons told: We could not confirm who you are." in page
    assert "Told of the right to complain to IMY and to a judicial remedy: yes" in page
    assert "Requester told: " in page


def test_a_refusal_without_reasons_or_remedies_is_shown_and_writes_nothing(customers_app_store):
    store = customers_app_store
    rid = log(store, kind="access")
    request_actions.apply(store, rid, "forward", actor=AGENT)
    at = pick(open_page(PAGE), rid)
    act(at, rid, "refuse", ground="excessive", reasons="   ")
    errors = " ".join(e.value for e in at.error)
    assert "Nothing was saved" in errors
    assert "Reasons told to the requester" in errors and "Told of IMY and the courts" in errors
    assert history(store, rid) == ["create", "forward"]
    assert stored(store, rid, "status, refusal_ground, refusal_reasons") == ("forwarded", None, None)


def test_recipients_not_yet_told_in_the_queue_then_recorded_then_completed(customers_app_store):
    store = customers_app_store
    rectification = log(store, kind="rectification", days_ago=3)
    for action in ("forward", "start"):
        request_actions.apply(store, rectification, action, actor=AGENT)
    access = log(store, kind="access", email="per@example.com")
    at = open_page(PAGE)
    frame = queue_table(at).value.set_index("request_id")
    assert bool(frame.loc[rectification, "recipients_pending"]) and not bool(frame.loc[access, "recipients_pending"])
    assert {m.label: m.value for m in at.metric}["Recipients not yet told"] == "1"
    at.checkbox(key="rq_recipients").check().run()
    assert queue_table(at).value["request_id"].tolist() == [rectification]

    pick(at, rectification)
    assert "Recipients not yet told" in " ".join(w.value for w in at.warning)
    # completing first is refused with the reason, and writes nothing
    act(at, rectification, "complete")
    assert "Art. 19" in " ".join(e.value for e in at.error)
    assert history(store, rectification) == ["create", "forward", "start"]
    assert stored(store, rectification, "status") == ("in_progress",)

    assert "record_recipients" in offered(at, rectification)
    act(at, rectification, "record_recipients", notice="told", note="CRM told")
    assert not at.error, [e.value for e in at.error]
    assert history(store, rectification)[-1] == "record_recipients"
    notice, told_at = stored(store, rectification, "recipients_notice, recipients_told_at")
    assert notice == "told" and told_at is not None
    assert "No request matches these filters" in texts(at)    # it left the "not yet told" list
    at.checkbox(key="rq_recipients").uncheck().run()
    pick(at, rectification)
    assert "Recipients told: " in shown(at)
    assert not bool(queue_table(at).value.set_index("request_id").loc[rectification, "recipients_pending"])
    act(at, rectification, "complete")
    assert not at.error, [e.value for e in at.error]
    assert stored(store, rectification, "status, outcome") == ("completed", "completed")
    assert history(store, rectification) == ["create", "forward", "start", "record_recipients", "complete"]
    assert requests.verify_history(store) == []
