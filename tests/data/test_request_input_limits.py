"""Issue 11 item 2: no input of a new request is changed or dropped without the user seeing why. The checks
live in privacyops (validate_new), not in the widgets: a date of receipt before the GDPR's first day or in the
future, and text longer than its field keeps, are refused with the field named; nothing is written."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from privacyops.cases import request_actions, requests
from privacyops.cases.requests import NewRequest, RequestInputError
from privacyops.clock import STOCKHOLM
from privacyops.rules import deadlines

AGENT = "agent@example.com"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def new(**overrides) -> NewRequest:
    fields = dict(customer_id="C01", request_type="access", received_at=datetime(2025, 3, 5, 9, 0, tzinfo=UTC),
                  channel="email", requester_email="karin.testsson@example.com")
    fields.update(overrides)
    return NewRequest(**fields)


def stored(store) -> tuple[int, int]:
    with store.cursor() as cur:
        return (cur.execute("SELECT count(*) FROM requests").fetchone()[0],
                cur.execute("SELECT count(*) FROM request_history").fetchone()[0])


def test_the_gdpr_applies_from_25_may_2018():
    assert deadlines.GDPR_APPLIES_FROM == date(2018, 5, 25)   # GDPR Art. 99(2)


@pytest.mark.parametrize("received", [
    datetime(2099, 1, 1, 9, 0, tzinfo=STOCKHOLM), datetime(1900, 1, 1, 9, 0, tzinfo=STOCKHOLM),
    datetime(2016, 11, 1, 9, 0, tzinfo=STOCKHOLM), datetime(2018, 5, 24, 23, 59, tzinfo=STOCKHOLM),
])
def test_a_date_of_receipt_before_the_gdpr_or_in_the_future_is_refused(customer_store, received):
    errors = requests.validate_new(customer_store, new(received_at=received), now=NOW)
    assert list(errors) == ["received_at"]
    assert received.strftime("%Y-%m-%d") in errors["received_at"]
    with pytest.raises(RequestInputError):
        requests.log(customer_store, new(received_at=received), actor=AGENT, now=NOW)
    assert stored(customer_store) == (0, 0)


def test_the_gdprs_first_stockholm_day_is_accepted(customer_store):
    first = datetime(2018, 5, 24, 22, 30, tzinfo=UTC)          # 00:30 on 25 May 2018 in Stockholm
    assert requests.validate_new(customer_store, new(received_at=first), now=NOW) == {}
    before = datetime(2018, 5, 24, 21, 30, tzinfo=UTC)         # 23:30 on 24 May in Stockholm
    assert "25 May 2018" in requests.validate_new(customer_store, new(received_at=before), now=NOW)["received_at"]


@pytest.mark.parametrize(("field", "limit"), [("requester_name", 200), ("description", 4000),
                                              ("subject_id", 128), ("assignee", 200)])
def test_text_longer_than_its_field_keeps_is_refused_not_cut(customer_store, field, limit):
    assert requests.validate_new(customer_store, new(**{field: "x" * limit}), now=NOW) == {}
    errors = requests.validate_new(customer_store, new(**{field: "x" * 100_000}), now=NOW)
    assert list(errors) == [field]
    assert f"{limit:,} characters" in errors[field] and "100,000" in errors[field]
    with pytest.raises(RequestInputError) as refused:
        requests.log(customer_store, new(**{field: "x" * 100_000}), actor=AGENT, now=NOW)
    assert list(refused.value.errors) == [field]
    assert stored(customer_store) == (0, 0)


def test_an_email_address_longer_than_254_characters_is_refused_by_its_length(customer_store):
    address = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".example.com"
    assert len(address) > 254
    errors = requests.validate_new(customer_store, new(requester_email=address), now=NOW)
    assert errors == {"requester_email": f"Keep the email address to 254 characters (it has {len(address):,})."}


def test_a_name_at_its_limit_is_logged_whole(customer_store):
    name = "Karin " + "T" * 194
    logged = requests.log(customer_store, new(requester_name=name), actor=AGENT)
    detail = customer_store.query("request_detail", request_id=logged.request_id).iloc[0]
    assert detail["requester_name"] == name


@pytest.mark.parametrize(("field", "limit", "action", "extra"), [
    ("note", 500, "forward", {}),
    ("extension_reason", 1000, "extend", {"notified_at": datetime.now(UTC)}),
    ("refusal_reasons", 2000, "refuse", {"refusal_ground": "manifestly_unfounded", "remedies_told": True}),
])
def test_an_actions_text_longer_than_it_keeps_is_refused_and_nothing_written(customer_store, field, limit, action,
                                                                            extra):
    rid = requests.log(customer_store, new(received_at=datetime.now(UTC)), actor=AGENT).request_id
    if action == "extend":
        request_actions.apply(customer_store, rid, "forward", actor=AGENT)
    before = stored(customer_store)
    with pytest.raises(RequestInputError) as refused:
        request_actions.apply(customer_store, rid, action, actor=AGENT, **extra, **{field: "x" * 100_000})
    assert list(refused.value.errors) == [field]
    assert f"{limit:,} characters (it has 100,000)" in refused.value.errors[field]
    assert stored(customer_store) == before
