"""The dashboard's own retention, as a user sees it: opening the app anonymises expired contacts, and the
Retention page shows the category like any other."""

from __future__ import annotations

from datetime import UTC, datetime

from privacyops.cases import request_actions, requests
from privacyops.cases.requests import NewRequest
from tests.app.conftest import open_page


def test_expired_contacts_are_anonymised_and_shown(customers_app_store):
    store = customers_app_store
    store.write(lambda cur: cur.execute(
        "INSERT INTO retention_records VALUES ('R1', 'C01', 'email', TIMESTAMP '2024-01-01', "
        "TIMESTAMP '2024-01-02', NULL, NULL, NULL)"))
    rid = requests.log(store, NewRequest("C01", "access", datetime(2022, 5, 2, 9, tzinfo=UTC), "email",
                                         "old.requester@example.com", subject_id="subj-9001"),
                       actor="agent@example.com").request_id
    for action, day in (("forward", 3), ("start", 4), ("complete", 9)):
        request_actions.apply(store, rid, action, actor="agent@example.com", at=datetime(2022, 5, day, 9, tzinfo=UTC))

    at = open_page("pages/retention.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Anonymised"] == "1" and metrics["Due for anonymisation"] == "0"
    detail = store.query("request_detail", request_id=rid).iloc[0]
    assert detail.requester_email is None and detail.subject_id is None
    assert any("subject id" in c.value for c in at.caption)
    events = store.query("access_log_chain")
    assert events[["event", "actor"]].values.tolist() == [["anonymise", "privacyops (daily)"]]


def test_the_page_says_how_long_backups_keep_anonymised_contacts(customers_app_store):
    from privacyops.cases import settings as settings_change

    store = customers_app_store
    store.write(lambda cur: cur.execute(
        "INSERT INTO retention_records VALUES ('R1', 'C01', 'email', TIMESTAMP '2024-01-01', "
        "TIMESTAMP '2024-01-02', NULL, NULL, NULL)"))
    settings_change.save_setting(store, "backup_keep_days", "21", actor="dpo@example.com", actor_role="admin")
    at = open_page("pages/retention.py")
    assert any("The daily backups keep them 21 days longer" in c.value for c in at.caption)
