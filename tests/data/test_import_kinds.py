"""Importing each kind: the samples fill a new store in order, requests get their deadlines from the rules
and one hash-chained 'import' history entry each, customers their terms and change records, and the rules
that involve several columns reject what they should. Also saved mappings."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from privacyops.cases.requests import verify_history
from privacyops.importing import contract
from privacyops.importing.mappings import apply_saved, resolve_mapping, save_mapping, saved_mappings
from privacyops.importing.options import ImportInputError, ImportOptions
from privacyops.importing.pipeline import run_import
from privacyops.importing.read import inspect_file
from privacyops.importing.report import ImportReport
from privacyops.store import Store
from tests.data.test_import_files import counts, lines, problems, write

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def run(store: Store, path: Path, kind: str, **kwargs) -> ImportReport:
    options = inspect_file(path).default_options()
    return run_import(store, path, kind, options, actor="tester@example.com", now=NOW, **kwargs)


def rows(store: Store, sql: str) -> list[tuple]:
    with store.cursor() as cur:
        return cur.execute(sql).fetchall()


def test_the_samples_import_cleanly_in_order_into_a_new_store_and_again_add_nothing(store):
    expected = {"customers": 3, "consent": 12, "requests": 6, "retention": 9}
    for kind in contract.IMPORT_ORDER:
        report = run(store, SAMPLES / f"{kind}.csv", kind)
        assert counts(report) == (expected[kind], expected[kind], 0, 0), (kind, report.problems)
        assert report.file_problem is None
    for kind in contract.IMPORT_ORDER:
        assert counts(run(store, SAMPLES / f"{kind}.csv", kind)) == (expected[kind], 0, 0, expected[kind])
    assert rows(store, "SELECT count(*) FROM request_history") == [(6,)]
    assert verify_history(store) == []


def test_samples_follow_the_conventions(store):
    """Invented people only: example.com addresses, organisation numbers that fail the Luhn check."""
    text = "".join((SAMPLES / f"{kind}.csv").read_text("utf-8-sig") for kind in contract.IMPORT_ORDER)
    emails = {word.strip('",;') for word in text.replace(",", " ").split() if "@" in word}
    assert emails and all(e.endswith("@example.com") for e in emails), emails
    from privacyops.demo.generator import luhn_check_digit

    for org in ("559900-1239", "559900-4563", "559900-7897"):
        digits = org.replace("-", "")
        assert luhn_check_digit(digits[:9]) != int(digits[9])
        assert org in text


def test_imported_requests_get_their_deadlines_and_one_history_entry_each(customer_store, tmp_path):
    header = "request_id,customer_id,request_type,received_at,channel,requester_email,status,forwarded_at,closed_at"
    path = write(tmp_path, "requests.csv", lines(
        header,
        "R-1,C01,access,2025-03-05 10:00,email,Karin@Example.COM,,,",        # naive: Stockholm time
        "R-2,C02,erasure,2026-01-31T22:30:00Z,web_form,lars@example.com,forwarded,2026-01-31T23:00:00Z,",
        "R-3,C01,consent_withdrawal,2025-06-12T16:45:00Z,email,,completed,,2025-06-12T17:00:00Z",
    ))
    report = run_import(customer_store, path, "requests", inspect_file(path).default_options(),
                        actor="tester@example.com", now=datetime(2026, 2, 2, tzinfo=UTC))
    assert counts(report) == (3, 3, 0, 0)
    stored = rows(customer_store, "SELECT request_id, received_at, requester_email, status, due_date, "
                                  "forward_due_date, outcome, created_at = updated_at FROM requests ORDER BY 1")
    # Dates worked out by hand (rules.md 1-2). R-1: Wed 5 March 2025, due Mon 7 April (5 April is a Saturday),
    # forward by 12 March (5 working days). R-2: 22:30 UTC on 31 Jan is Sunday 1 February in Stockholm, due
    # Mon 2 March (1 March is a Sunday), C02 forwards within 2 working days: 2, 3 February. R-3: Thu 12 June
    # 2025, a withdrawal (no month clock), forward by Thursday 19 June.
    assert stored == [
        ("R-1", datetime(2025, 3, 5, 9, 0), "Karin@example.com", "logged", date(2025, 4, 7), date(2025, 3, 12),
         None, True),
        ("R-2", datetime(2026, 1, 31, 22, 30), "lars@example.com", "forwarded", date(2026, 3, 2), date(2026, 2, 3),
         None, True),
        ("R-3", datetime(2025, 6, 12, 16, 45), None, "completed", None, date(2025, 6, 19), "completed", True),
    ]
    assert stored[0][4] == date(2025, 4, 7)            # rules.md: 5 March -> 7 April
    assert stored[1][4] == date(2026, 3, 2)            # 1 February in Stockholm -> 1 March is a Sunday
    history = rows(customer_store, "SELECT entry_id, request_id, actor, action, note, changes FROM request_history "
                                   "ORDER BY entry_id")
    assert [h[:5] for h in history] == [
        (1, "R-1", "tester@example.com", "import", f"Imported from requests.csv (import run {report.run_id}, line 2)"),
        (2, "R-2", "tester@example.com", "import", f"Imported from requests.csv (import run {report.run_id}, line 3)"),
        (3, "R-3", "tester@example.com", "import", f"Imported from requests.csv (import run {report.run_id}, line 4)"),
    ]
    changes = json.loads(history[0][5])
    assert changes["request_id"] == [None, "R-1"] and changes["due_date"] == [None, "2025-04-07"]
    assert "requester_name" not in changes            # like a logged request: only the fields set
    assert verify_history(customer_store) == []
    # a second import continues the same chain
    more = write(tmp_path, "more.csv", lines(header, "R-4,C01,access,2025-03-06T10:00:00Z,email,a@example.com,,,"))
    assert counts(run(customer_store, more, "requests")) == (1, 1, 0, 0)
    assert verify_history(customer_store) == []
    assert rows(customer_store, "SELECT max(entry_id) FROM request_history") == [(4,)]


NO_REASONS = "is required for a refused request (Art. 12(4): the reasons the requester was told)"
NO_REMEDIES = ("must be true for a refused request (Art. 12(4): the requester is told of the right to complain to "
               "IMY and to seek a judicial remedy)")


def test_request_rules(customer_store, tmp_path):
    header = ("request_id,customer_id,request_type,received_at,channel,requester_email,status,forwarded_at,"
              "closed_at,outcome,refusal_ground,description")
    base = "C01,access,2025-03-05T10:00:00Z,email,a@example.com"
    path = write(tmp_path, "requests.csv", lines(
        header,
        f"Q1,{base},logged,,2025-03-06T10:00:00Z,,,",                  # open with closed_at
        f"Q2,{base},refused,2025-03-05T11:00:00Z,2025-03-20T10:00:00Z,,,",   # refused without ground
        "Q3,C01,erasure,2025-03-05T10:00:00Z,email,a@example.com,refused,2025-03-05T11:00:00Z,"
        "2025-03-20T10:00:00Z,,no_data_held,",                          # not an erasure ground
        "Q4,C01,consent_withdrawal,2025-03-05T10:00:00Z,email,a@example.com,in_progress,2025-03-05T11:00:00Z,,,,",
        f"Q5,{base},paused,,,,,",
        f"Q6,{base},forwarded,,,,,",                                     # forwarded without forwarded_at
        f"Q7,{base},completed,2025-03-04T10:00:00Z,2025-03-20T10:00:00Z,refused,,",
        "Q8,C01,access,2025-03-05T10:00:00Z,email,not-an-email,,,,,,",
        "Q9,C01,access,2025-03-05T10:00:00Z,email,,,,,,,",              # open without email
        f"Q10,{base},completed,2025-03-05T11:00:00Z,2025-03-20T10:00:00Z,forwarded_only,,",
        f"Q11,{base},,,,,,{'x' * 4001}",
        f"Q12,{base},completed,2025-03-06T11:00:00Z,2025-03-05T12:00:00Z,,,",   # closed before forwarded
    ))
    report = run(customer_store, path, "requests")
    assert counts(report) == (12, 1, 11, 0)
    assert problems(report) == [
        (2, "closed_at", "is given but the request is open (status logged, forwarded or in_progress)"),
        (3, "refusal_ground", "is required for a refused request (Art. 12(4): the requester is told why)"),
        (3, "refusal_reasons", NO_REASONS),
        (3, "refusal_remedies_told", NO_REMEDIES),
        (4, "refusal_ground", "is not a ground for refusing Erasure (Art. 17); allowed: identity_not_confirmed, "
                              "manifestly_unfounded, excessive, controller_decision, no_art17_1_ground, art17_3_a, "
                              "art17_3_b, art17_3_c, art17_3_d, art17_3_e"),
        (4, "refusal_reasons", NO_REASONS),
        (4, "refusal_remedies_told", NO_REMEDIES),
        (5, "status", "is not possible for a consent withdrawal (logged, completed or withdrawn: it takes effect "
                      "at once)"),
        (6, "status", "is not one of: logged, forwarded, in_progress, completed, refused, withdrawn"),
        (7, "forwarded_at", "is required for a forwarded or in_progress request"),
        (8, "forwarded_at", "is before received_at"),
        (8, "outcome", "does not fit the status"),
        (9, "requester_email", "is not an email address"),
        (10, "requester_email", "is required while the request is open (to answer the requester)"),
        (12, "description", "is longer than 4,000 characters"),
        (13, "closed_at", "is before forwarded_at"),
    ]
    assert rows(customer_store, "SELECT request_id, status, outcome FROM requests") == [
        ("Q10", "completed", "forwarded_only")]
    assert rows(customer_store, "SELECT count(*) FROM request_history") == [(1,)]


def test_customers_with_their_terms_and_change_records(store, tmp_path):
    header = ";".join(f.name for f in contract.fields("customers") if not f.name.startswith("consent_policy"))
    terms = ";".join(["365", "delete"] * 5)
    path = write(tmp_path, "customers.csv", lines(
        header,
        f"K1;Kund Ett AB;556000-0001;5,0;{terms}",
        f"K2;Kund Två AB;5560000002;5;{terms}",
        f"K3;Kund Tre AB;556000-0003;31;{terms}",
        f"K4;Kund Fyra AB;556000-0004;2;{terms.replace('365', '0', 1)}",
        f"K5;Kund Fem AB;556000-0005;2;{terms.replace('delete', 'keep', 1)}",
        f"K 6;Kund Sex AB;556000-0006;2;{terms}",
        f"K7;Kund Sju AB;556000-0007;1 0;{terms.replace('delete', 'anonymized')}",
    ))
    report = run(store, path, "customers")
    assert counts(report) == (7, 2, 5, 0)
    assert problems(report) == [
        (3, "org_number", "is not an organisation number (NNNNNN-NNNN)"),
        (4, "forward_working_days", "is not between 0 and 30"),
        (5, "name_retention_days", "is not between 1 and 36,500"),
        (6, "name_end_action", "is not one of: delete, anonymise"),
        (7, "customer_id", "is not a customer id (1-32 letters, digits, - or _)"),
    ]
    assert rows(store, "SELECT customer_id, name, forward_working_days FROM customers ORDER BY 1") == [
        ("K1", "Kund Ett AB", 5), ("K7", "Kund Sju AB", 10)]
    assert rows(store, "SELECT count(*), count(DISTINCT customer_id) FROM customer_retention_terms") == [(10, 2)]
    assert rows(store, "SELECT DISTINCT end_action FROM customer_retention_terms WHERE customer_id = 'K7'") == [
        ("anonymise",)]
    changes = rows(store, "SELECT customer_id, changed_by, field, old_value, new_value FROM customer_changes "
                          "WHERE customer_id = 'K1' ORDER BY field")
    assert len(changes) == 13
    assert ("K1", "tester@example.com", "forward_working_days", None, "5") in changes
    assert ("K1", "tester@example.com", "name.retention_days", None, "365") in changes


def test_retention_rules(customer_store, tmp_path):
    header = "record_id,customer_id,data_category,created_at,last_used_at,retention_ends_on,disposed_at,disposal_action"
    path = write(tmp_path, "retention.csv", lines(
        header,
        "T1,C01,email,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,2030-01-01,,",
        "T2,C01,email,2024-01-01T00:00:00Z,2023-12-01T00:00:00Z,,,",
        "T3,C01,email,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,,2025-01-01T00:00:00Z,",
        "T4,C01,email,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,,,deleted",
        "T5,C01,phone,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,,,",
        "T6,C02,name,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,2025-02-30,,",
        "T7,C02,name,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,,2025-01-01T00:00:00Z,anonymise",
    ))
    report = run(customer_store, path, "retention")
    assert counts(report) == (7, 2, 5, 0)
    assert problems(report) == [
        (3, "last_used_at", "is before created_at"),
        (4, "disposal_action", "is required when disposed_at is given (deleted or anonymised)"),
        (5, "disposed_at", "is required when disposal_action is given"),
        (6, "data_category", "is not one of: name, email, company_details, user_data, quote_content"),
        (7, "retention_ends_on", "is not a real date (no such day)"),
    ]
    assert rows(customer_store, "SELECT record_id, retention_ends_on, disposal_action FROM retention_records "
                                "ORDER BY 1") == [("T1", date(2030, 1, 1), None), ("T7", None, "anonymised")]


def test_saved_mappings_per_source(customer_store, tmp_path):
    header = "Id;Kund;Besökare;Tidpunkt;Val;Policy;Källa;Land;Nödvändiga;Funktion;Analys;Marknad"
    path = write(tmp_path, "banner.csv", lines(
        header, "B1;C01;S1;2025-03-05T10:00:00Z;accept_all;2025-09;banner;SE;true;true;true;true"))
    info = inspect_file(path)
    mapping = dict(zip(contract.column_names("consent"), info.headers, strict=True))
    options = info.default_options().with_mapping(mapping, "Cookie banner")
    save_mapping(customer_store, "consent", "Cookie banner", options, actor="tester@example.com")
    saved = saved_mappings(customer_store, "consent")
    assert list(saved) == ["Cookie banner"]
    assert saved["Cookie banner"].mapping == mapping
    assert saved["Cookie banner"].reading == {"decimal_comma": True, "delimiter": ";", "encoding": "utf-8",
                                             "format": "csv"}
    assert saved_mappings(customer_store, "requests") == {}
    # saving again replaces it
    save_mapping(customer_store, "consent", "Cookie banner", options, actor="other@example.com")
    assert len(customer_store.query("import_mappings", kind="consent")) == 1
    applied = apply_saved(ImportOptions(), saved["Cookie banner"])
    report = run_import(customer_store, path, "consent", applied, actor="t", now=NOW)
    assert counts(report) == (1, 1, 0, 0)
    assert rows(customer_store, "SELECT mapping_name FROM import_runs") == [("Cookie banner",)]
    with pytest.raises(ImportInputError, match="Name the source"):
        save_mapping(customer_store, "consent", " ", options, actor="t")
    with pytest.raises(ImportInputError, match="does not have"):
        resolve_mapping("consent", ["a", "b"], {"customer_id": "Kund"})
    with pytest.raises(ImportInputError, match="not consent columns"):
        resolve_mapping("consent", ["a"], {"colour": "a"})


def test_each_role_imports_only_its_kinds(customer_store, tmp_path):
    from privacyops.cases import access
    assert access.importable_kinds("analyst") == ["consent", "retention"]
    assert access.importable_kinds("support") == ["requests", "consent", "retention"]
    assert access.importable_kinds("admin") == ["customers", "requests", "consent", "retention"]
    assert access.importable_kinds("management") == []
    sample = Path(__file__).resolve().parents[2] / "data" / "samples" / "customers.csv"
    options = inspect_file(sample).default_options()
    with pytest.raises(access.AccessError, match="may not import customers"):
        run_import(customer_store, sample, "customers", options, actor="ana@example.com", role="analyst")
    assert customer_store.query("customer_list")["customer_id"].tolist() == ["C01", "C02"]


def test_imported_history_holds_no_contact_details(tmp_path):
    from privacyops.store import open_store

    store = open_store(tmp_path / "samples.duckdb")
    samples = Path(__file__).resolve().parents[2] / "data" / "samples"
    try:
        for kind in ("customers", "requests"):
            path = samples / f"{kind}.csv"
            run_import(store, path, kind, inspect_file(path).default_options(), actor="t@example.com")
        with store.cursor() as cur:
            emails = [r[0] for r in cur.execute("SELECT requester_email FROM requests").fetchall() if r[0]]
            text = " ".join(r[0] for r in cur.execute("SELECT changes FROM request_history").fetchall())
            imported = cur.execute("SELECT count(*) FROM request_history WHERE action = 'import'").fetchone()[0]
        assert imported == 6 and emails
        assert not [email for email in emails if email in text]
    finally:
        store.close()


def test_imported_history_holds_no_subject_ids(tmp_path):
    """rules.md 4: imported requests keep their subject ids in the requests table, never in the history."""
    from privacyops.store import history, open_store

    store = open_store(tmp_path / "subjects.duckdb")
    samples = Path(__file__).resolve().parents[2] / "data" / "samples"
    try:
        for kind in ("customers", "requests"):
            path = samples / f"{kind}.csv"
            run_import(store, path, kind, inspect_file(path).default_options(), actor="t@example.com")
        with store.cursor() as cur:
            subjects = [r[0] for r in cur.execute("SELECT subject_id FROM requests WHERE subject_id IS NOT NULL")
                        .fetchall()]
            text = " ".join(r[0] for r in cur.execute("SELECT changes || note FROM request_history").fetchall())
            marked = cur.execute("SELECT count(*) FROM request_history WHERE action = 'import' AND "
                                 "json_extract_string(changes, '$.subject_id[1]') = $m",
                                 {"m": history.REDACTED}).fetchone()[0]
        assert subjects and not [s for s in subjects if s in text]
        assert marked == len(subjects)
        assert verify_history(store) == []
    finally:
        store.close()


def test_customers_with_their_consent_policy_checked_like_the_page(store, tmp_path):
    """Issue 8 (rules.md 3): the optional policy columns; the version and its day come together, the day is
    not after today (NOW is 15 January 2026), the version one line of at most 64 characters."""
    header = ";".join(f.name for f in contract.fields("customers"))
    terms = ";".join(["365", "delete"] * 5)
    path = write(tmp_path, "customers.csv", lines(
        header,
        f"P1;Kund Ett AB;556000-0001;5;{terms};2025-09;2025-09-01",
        f"P2;Kund Två AB;556000-0002;5;{terms};;",
        f"P3;Kund Tre AB;556000-0003;5;{terms};2025-09;",
        f"P4;Kund Fyra AB;556000-0004;5;{terms};;2025-09-01",
        f"P5;Kund Fem AB;556000-0005;5;{terms};2026-02;2026-01-16",
        f"P6;Kund Sex AB;556000-0006;5;{terms};{'v' * 65};2025-09-01",
        f"P7;Kund Sju AB;556000-0007;5;{terms};2026-01;2026-01-15",
    ))
    report = run(store, path, "customers")
    assert counts(report) == (7, 3, 4, 0)
    assert problems(report) == [
        (4, "consent_policy_effective_on", "is required when consent_policy_version is given (the day the policy "
                                           "took effect)"),
        (5, "consent_policy_version", "is required when consent_policy_effective_on is given"),
        (6, "consent_policy_effective_on", "is after today: import the policy in force (set a new one on the "
                                           "Customers page the day it takes effect)"),
        (7, "consent_policy_version", "is longer than 64 characters"),
    ]
    assert rows(store, "SELECT customer_id, consent_policy_version, consent_policy_effective_on, "
                       "consent_policy_confirmed FROM customers ORDER BY 1") == [
        ("P1", "2025-09", date(2025, 9, 1), True), ("P2", None, None, True), ("P7", "2026-01", date(2026, 1, 15), True)]
    assert rows(store, "SELECT customer_id, field, old_value, new_value FROM customer_changes "
                       "WHERE field LIKE 'consent_policy%' ORDER BY 1, 2") == [
        ("P1", "consent_policy_effective_on", None, "2025-09-01"), ("P1", "consent_policy_version", None, "2025-09"),
        ("P7", "consent_policy_effective_on", None, "2026-01-15"), ("P7", "consent_policy_version", None, "2026-01")]


def test_requests_for_expandra_itself_and_controller_answer_dates(tmp_path):
    """Issue 8: the request import takes Expandra as the controller and the controller's answer date, with the
    form's checks (nothing to forward; an answer date only for a controller-handled request, not in the future)."""
    from datetime import date

    from privacyops.cases import customers
    from privacyops.store import open_store
    from tests.conftest import make_customer

    store = open_store(tmp_path / "clock.duckdb")
    customers.save(store, make_customer("C01", "Testkund Ett AB"), actor="t@example.com")
    header = "request_id,customer_id,request_type,received_at,channel,requester_email,status,forwarded_at,"\
             "closed_at,outcome,controller_answered_on\n"
    good = ("R1,EXPANDRA,access,2025-03-05 09:00,email,a@example.com,completed,,2025-03-20 10:00,completed,\n"
            "R2,C01,access,2025-03-05 09:00,email,b@example.com,completed,2025-03-06 09:00,2025-03-08 09:00,"
            "forwarded_only,2025-04-20\n"
            "R3,expandra,erasure,2025-03-05 09:00,web_form,c@example.com,in_progress,,,,\n")
    bad = ("B1,EXPANDRA,access,2025-03-05 09:00,customer,d@example.com,logged,,,,\n"
           "B2,EXPANDRA,access,2025-03-05 09:00,email,e@example.com,forwarded,2025-03-06 09:00,,,\n"
           "B3,C01,access,2025-03-05 09:00,email,f@example.com,completed,2025-03-06 09:00,2025-03-08 09:00,"
           "completed,2025-04-20\n"
           "B4,C01,access,2025-03-05 09:00,email,g@example.com,completed,2025-03-06 09:00,2025-03-08 09:00,"
           "forwarded_only,2025-03-01\n"
           "B5,C01,access,2025-03-05 09:00,email,h@example.com,completed,2025-03-06 09:00,2025-03-08 09:00,"
           "forwarded_only,2099-01-01\n"
           "B6,NOPE,access,2025-03-05 09:00,email,i@example.com,logged,,,,\n")
    path = tmp_path / "requests.csv"
    path.write_text(header + good + bad, "utf-8")
    try:
        report = run_import(store, path, "requests", inspect_file(path).default_options(),
                            actor="t@example.com")
        assert (report.imported, report.rejected) == (3, 6)
        # lines 5-10 are B1-B6 (line 1 is the header)
        reasons = {(p.line, p.column) for p in report.problems}
        assert {(5, "channel"), (6, "forwarded_at"), (6, "status"), (7, "controller_answered_on"),
                (8, "controller_answered_on"), (9, "controller_answered_on"), (10, "customer_id")} <= reasons
        with store.cursor() as cur:
            rows = {r[0]: r[1:] for r in cur.execute(
                "SELECT request_id, customer_id, forward_due_date, controller_answered_on, eves_are_holidays, "
                "in_on_time_rate FROM request_clock").fetchall()}
        assert rows["R1"] == (None, None, None, False, True)
        assert rows["R2"][2:] == (date(2025, 4, 20), False, True)
        assert rows["R3"][:2] == (None, None)
    finally:
        store.close()
