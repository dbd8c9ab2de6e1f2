"""Two people acting on one request at once (issue 11, item 1): the action is applied against the version of
the request its user saw; a request changed since is refused with who changed it, when and its state now,
and nothing is written."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from privacyops.cases import request_actions, requests
from privacyops.cases.request_actions import RequestChangedError
from privacyops.cases.requests import NewRequest

ANNA = "anna.support@example.com"
BO = "bo.support@example.com"


def logged(store) -> str:
    new = NewRequest(customer_id="C01", request_type="access", channel="email",
                     received_at=datetime.now(UTC) - timedelta(days=2), requester_email="karin.testsson@example.com")
    return requests.log(store, new, actor=ANNA).request_id


def seen(store, request_id: str) -> int:
    """The version a user sees: read with the request's state in one statement."""
    return int(store.query("request_detail", request_id=request_id).iloc[0]["version"])


def history_rows(store, request_id: str) -> list[tuple[str, str]]:
    with store.cursor() as cur:
        return cur.execute("SELECT actor, action FROM request_history WHERE request_id = $id ORDER BY entry_id",
                           {"id": request_id}).fetchall()


def row(store, request_id: str) -> tuple:
    with store.cursor() as cur:
        return cur.execute("SELECT * FROM requests WHERE request_id = $id", {"id": request_id}).fetchone()


def test_the_version_is_the_newest_history_entry_of_the_request(customer_store):
    first, second = logged(customer_store), logged(customer_store)
    assert (seen(customer_store, first), seen(customer_store, second)) == (1, 2)
    request_actions.apply(customer_store, first, "forward", actor=ANNA, expected_version=1)
    assert (seen(customer_store, first), seen(customer_store, second)) == (3, 2)


def test_the_second_of_two_actions_on_the_same_seen_version_is_refused_and_writes_nothing(customer_store):
    rid = logged(customer_store)
    version = seen(customer_store, rid)
    assert request_actions.apply(customer_store, rid, "forward", actor=ANNA, expected_version=version) == "forwarded"
    before = row(customer_store, rid)
    with pytest.raises(RequestChangedError) as refused:
        request_actions.apply(customer_store, rid, "withdraw", actor=BO, expected_version=version)
    error = refused.value
    assert (error.request_id, error.changed_by, error.action, error.status) == (rid, ANNA, "forward", "forwarded")
    assert error.changes_since == 1
    assert error.version == seen(customer_store, rid)
    assert abs(error.changed_at - datetime.now(UTC)) < timedelta(minutes=1) and error.changed_at.tzinfo is not None
    message = str(error)
    assert f"'Forward to controller' by {ANNA} at " in message and "now 'Forwarded to controller'" in message
    assert "Nothing was saved" in message
    assert row(customer_store, rid) == before
    assert history_rows(customer_store, rid) == [(ANNA, "create"), (ANNA, "forward")]


def test_an_action_on_the_current_version_goes_through(customer_store):
    rid = logged(customer_store)
    request_actions.apply(customer_store, rid, "forward", actor=ANNA, expected_version=seen(customer_store, rid))
    assert request_actions.apply(customer_store, rid, "start", actor=BO,
                                 expected_version=seen(customer_store, rid)) == "in_progress"


def test_a_refusal_counts_every_change_since_the_version_seen(customer_store):
    rid = logged(customer_store)
    version = seen(customer_store, rid)
    request_actions.apply(customer_store, rid, "forward", actor=ANNA)
    request_actions.apply(customer_store, rid, "start", actor=ANNA)
    with pytest.raises(RequestChangedError) as refused:
        request_actions.apply(customer_store, rid, "forward", actor=BO, expected_version=version)
    assert (refused.value.action, refused.value.status, refused.value.changes_since) == ("start", "in_progress", 2)
    assert "'Start work' by" in str(refused.value) and "after 1 other change." in str(refused.value)


@pytest.mark.parametrize(("before", "first", "second"), [
    ((), "forward", "forward"), ((), "forward", "withdraw"), (("forward", "start"), "complete", "pause"),
])
def test_threads_racing_on_one_version_exactly_one_wins(customer_store, before, first, second):
    rid = logged(customer_store)
    for action in before:
        request_actions.apply(customer_store, rid, action, actor=ANNA)
    version = seen(customer_store, rid)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def act(actor: str, action: str) -> None:
        start.wait()
        try:
            outcomes[actor] = request_actions.apply(customer_store, rid, action, actor=actor, pause_reason="identity",
                                                    expected_version=version)
        except RequestChangedError as error:
            outcomes[actor] = error

    threads = [threading.Thread(target=act, args=(ANNA, first)), threading.Thread(target=act, args=(BO, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    refused = [o for o in outcomes.values() if isinstance(o, RequestChangedError)]
    won = [actor for actor, o in outcomes.items() if isinstance(o, str)]
    assert len(refused) == 1 and len(won) == 1, outcomes
    assert refused[0].changed_by == won[0]
    rows = history_rows(customer_store, rid)
    assert len(rows) == 2 + len(before) and rows[-1][0] == won[0]
    assert requests.verify_history(customer_store) == []
