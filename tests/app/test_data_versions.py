"""Two people at once (issue 11 item 9): one logs a request, the other's next rerun of the Overview shows the new
count, while its consent figures come from the cache (no consent query runs again: ui/data.py counts each
query it runs against the store)."""

from __future__ import annotations

from datetime import date

from privacyops.cases import access, customers
from privacyops.store import Store
from tests.app.conftest import open_page, texts
from tests.app.test_log_request import fill, submit
from tests.conftest import make_customer
from ui import data

CONSENT_QUERIES = ("overview_consent_rates", "overview_consent_trend")
REQUEST_QUERIES = ("overview_request_kpis", "overview_request_trend", "overview_needs_attention")


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def open_requests(store: Store) -> int:
    with store.cursor() as cur:
        return cur.execute("SELECT count(*) FROM requests WHERE status IN ('logged', 'forwarded', 'in_progress', "
                           "'paused')").fetchone()[0]


def test_a_request_logged_in_one_session_shows_in_the_other_and_the_consent_figures_stay_cached(demo_app_store):
    watcher = open_page("pages/overview.py")
    before = tiles(watcher)
    assert before["Open requests"] == str(open_requests(demo_app_store))
    consent_before = {k: v for k, v in before.items() if "opt-in" in k}
    assert consent_before, before

    logger = open_page("pages/log_request.py")
    with demo_app_store.cursor() as cur:
        customer = cur.execute("SELECT min(customer_id) FROM customers").fetchone()[0]
    ran = dict(data.executions)
    submit(fill(logger, customer=customer, day=date(2026, 1, 12), email="nils.nytestsson@example.com",
                name="Nils Nytestsson"))
    assert "Logged **DSR-" in texts(logger), texts(logger)

    watcher.run()
    assert not watcher.exception, watcher.exception
    after = tiles(watcher)
    assert after["Open requests"] == str(int(before["Open requests"]) + 1) == str(open_requests(demo_app_store))
    assert {k: v for k, v in after.items() if "opt-in" in k} == consent_before
    # the request figures were computed again, once; the consent figures came from the cache
    assert {name: data.executions[name] - ran.get(name, 0) for name in REQUEST_QUERIES} == dict.fromkeys(
        REQUEST_QUERIES, 1)
    assert {name: data.executions[name] - ran.get(name, 0) for name in CONSENT_QUERIES} == dict.fromkeys(
        CONSENT_QUERIES, 0)


def test_a_write_outside_the_pages_shows_at_the_next_rerun_and_only_what_it_touched_is_read_again(
        customers_app_store):
    """A write that no page made (the command line; later another dashboard process on a shared store) bumps
    the versions in the store: the next rerun sees it without anyone clearing a cache."""
    watcher = open_page("pages/customers.py")
    assert "Testkund Tre AB (C03)" not in watcher.selectbox(key="cust_pick").options
    ran = data.executions["customers_overview"]

    access.log_event(customers_app_store, actor="cli@example.com", event="export", target="x.csv")
    watcher.run()
    assert not watcher.exception, watcher.exception
    assert data.executions["customers_overview"] == ran        # the access log is not a customer figure

    customers.save(customers_app_store, make_customer("C03", "Testkund Tre AB"), actor="cli@example.com")
    watcher.run()
    assert not watcher.exception, watcher.exception
    assert "Testkund Tre AB (C03)" in watcher.selectbox(key="cust_pick").options
    assert data.executions["customers_overview"] == ran + 1
