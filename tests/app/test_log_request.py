"""Log request page (AppTest): the form writes exactly one request with its history entry, shows the
due date the rules give, keeps what was typed when a field is wrong, and asks before logging a
likely duplicate."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from privacyops.cases import requests
from privacyops.clock import STOCKHOLM
from privacyops.rules import deadline_words, deadlines
from tests.app.conftest import open_page, texts

PAGE = "pages/log_request.py"


def table_counts(store) -> tuple[int, int]:
    with store.cursor() as cur:
        return cur.execute("SELECT (SELECT count(*) FROM requests), (SELECT count(*) FROM request_history)").fetchone()


def fill(at: AppTest, *, customer: str = "C01", kind: str = "access", day: date = date(2025, 3, 5),
         clock_time: time = time(10, 0), channel: str = "email", email: str = "karin.testsson@example.com",
         name: str = "Karin Testsson", description: str = "Vill se *alla* mina uppgifter") -> AppTest:
    at.selectbox(key="lr_customer").set_value(customer)
    at.selectbox(key="lr_type").set_value(kind)
    at.date_input(key="lr_day").set_value(day)
    at.time_input(key="lr_time").set_value(clock_time)
    at.selectbox(key="lr_channel").set_value(channel)
    at.text_input(key="lr_email").set_value(email)
    at.text_input(key="lr_name").set_value(name)
    at.text_area(key="lr_description").set_value(description)
    return at


def submit(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Log request").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_empty_store_asks_for_a_customer_first(empty_app_store):
    at = open_page(PAGE)
    assert not at.exception
    assert "A customer must be added first" in texts(at)
    assert [link.value for link in at.get("page_link")] == ["Add a customer"]
    assert not at.text_input
    assert table_counts(empty_app_store) == (0, 0)


def test_form_writes_one_request_and_one_history_entry(customers_app_store):
    at = submit(fill(open_page(PAGE)))
    assert table_counts(customers_app_store) == (1, 1)
    received = datetime(2025, 3, 5, 10, 0, tzinfo=STOCKHOLM)
    due = deadlines.due_date(received)
    forward_due = deadlines.forward_due_date(received, 5)
    assert due == date(2025, 4, 7)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Statutory due date"] == f"{due:%a %Y-%m-%d}"
    assert shown["Forward to the customer by"] == f"{forward_due:%a %Y-%m-%d}"
    page = texts(at)
    assert "Logged **DSR-000001** for Testkund Ett AB." in page
    assert deadline_words.explain_due_date(received) in page
    links = at.get("page_link")
    assert [link.value for link in links] == ["Open DSR-000001 in the request queue"]
    assert "request=DSR-000001" in links[0].proto.query_string
    with customers_app_store.cursor() as cur:
        row = cur.execute("SELECT request_id, customer_id, request_type, received_at, channel, requester_email, "
                          "requester_name, description, status, due_date, forward_due_date FROM requests").fetchone()
        history = cur.execute("SELECT request_id, action, actor FROM request_history").fetchall()
    assert row == ("DSR-000001", "C01", "access", datetime(2025, 3, 5, 9, 0), "email", "karin.testsson@example.com",
                   "Karin Testsson", "Vill se *alla* mina uppgifter", "logged", due, forward_due)
    assert history == [("DSR-000001", "create", "local.admin@localhost")]
    # the form is empty again for the next request
    assert at.text_input(key="lr_email").value == ""
    assert at.text_area(key="lr_description").value == ""


def test_received_time_is_stockholm_local_time(customers_app_store):
    # 00:30 on 31 March 2025 in Stockholm (summer time) is 22:30 UTC on 30 March: the month counts from 31 March.
    at = submit(fill(open_page(PAGE), customer="C02", day=date(2025, 3, 31), clock_time=time(0, 30)))
    with customers_app_store.cursor() as cur:
        received_at, due = cur.execute("SELECT received_at, due_date FROM requests").fetchone()
    assert received_at == datetime(2025, 3, 30, 22, 30)
    assert due == deadlines.due_date(datetime(2025, 3, 30, 22, 30, tzinfo=UTC)) == date(2025, 4, 30)
    assert {m.label: m.value for m in at.metric}["Statutory due date"] == "Wed 2025-04-30"


def test_consent_withdrawal_has_no_month_clock(customers_app_store):
    at = submit(fill(open_page(PAGE), kind="consent_withdrawal"))
    assert table_counts(customers_app_store) == (1, 1)
    assert {m.label: m.value for m in at.metric}["Statutory due date"] == "At once"


def test_bad_email_writes_nothing_and_keeps_what_was_typed(customers_app_store):
    at = submit(fill(open_page(PAGE), email="karin.testsson-at-example.com", customer="C02"))
    assert table_counts(customers_app_store) == (0, 0)
    errors = [e.value for e in at.error]
    assert any(e.startswith("**Requester email:**") for e in errors), errors
    assert not any("Received" in e for e in errors)
    assert at.text_input(key="lr_email").value == "karin.testsson-at-example.com"
    assert at.text_input(key="lr_name").value == "Karin Testsson"
    assert at.text_area(key="lr_description").value == "Vill se *alla* mina uppgifter"
    assert at.selectbox(key="lr_customer").value == "C02"
    assert at.date_input(key="lr_day").value == date(2025, 3, 5)
    # corrected, it logs
    at.text_input(key="lr_email").set_value("karin.testsson@example.com")
    submit(at)
    assert table_counts(customers_app_store) == (1, 1)
    assert not at.error


def test_future_time_writes_nothing_and_names_the_field(customers_app_store):
    now = datetime.now(STOCKHOLM)
    later = now + timedelta(minutes=90)
    if later.date() != now.date():
        pytest.skip("too close to midnight in Stockholm to type a later time today")
    at = submit(fill(open_page(PAGE), day=now.date(), clock_time=later.time().replace(second=0, microsecond=0)))
    assert table_counts(customers_app_store) == (0, 0)
    errors = [e.value for e in at.error]
    assert any(e.startswith("**Received:**") and "future" in e for e in errors), errors
    assert at.time_input(key="lr_time").value == later.time().replace(second=0, microsecond=0)
    assert at.text_input(key="lr_email").value == "karin.testsson@example.com"


def test_duplicate_is_written_only_after_confirmation(customers_app_store):
    at = submit(fill(open_page(PAGE)))
    assert table_counts(customers_app_store) == (1, 1)
    # the same requester (other case), customer and type, 10 days later
    submit(fill(at, day=date(2025, 3, 15), email="Karin.Testsson@Example.com", name=""))
    assert table_counts(customers_app_store) == (1, 1)
    warnings = [w.value for w in at.warning]
    assert any("Likely duplicate of DSR-000001" in w and "same requester, customer and type within 30 days" in w
               for w in warnings), warnings
    assert at.text_input(key="lr_email").value == "Karin.Testsson@Example.com"   # kept
    submit(at)                                   # submitting again without the confirmation does not log
    assert table_counts(customers_app_store) == (1, 1)
    at.checkbox(key="lr_confirm").check()
    submit(at)
    assert table_counts(customers_app_store) == (2, 2)
    assert "Logged **DSR-000002**" in texts(at)
    assert not at.warning


def test_other_type_is_not_a_duplicate(customers_app_store):
    requests.log(customers_app_store, requests.NewRequest(
        customer_id="C01", request_type="access", received_at=datetime(2025, 3, 5, 9, tzinfo=UTC),
        channel="email", requester_email="karin.testsson@example.com"), actor="x@example.com")
    at = submit(fill(open_page(PAGE), kind="erasure"))
    assert table_counts(customers_app_store) == (2, 2)
    assert not at.warning


def test_a_request_for_expandra_itself_is_logged_without_a_customer(customers_app_store):
    """Issue 8: where Expandra is the controller there is no customer and no forwarding clock."""
    at = submit(fill(open_page(PAGE), customer=requests.EXPANDRA_AS_CONTROLLER))
    with customers_app_store.cursor() as cur:
        row = cur.execute("SELECT customer_id, forward_due_date, due_date FROM requests").fetchone()
    assert row == (None, None, date(2025, 4, 7))
    shown = {m.label: m.value for m in at.metric}
    assert shown["Forward to the customer by"] == "–"
    assert "Expandra is the controller" in texts(at)


def test_a_forwarding_term_past_the_due_date_is_warned_about_on_logging(customers_app_store):
    from privacyops.cases import customers
    from tests.conftest import make_customer

    customers.save(customers_app_store, make_customer("C30", "Långsam Kund AB", 30), actor="t@example.com")
    at = submit(fill(open_page(PAGE), customer="C30"))
    assert any("after the statutory deadline" in w.value for w in at.warning)
