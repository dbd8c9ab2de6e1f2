"""The request import takes the closing fields of issue 8 with the form's checks: refusal grounds per right
(rules.md 1-2), the refusal notice (Art. 12(4)) and the recipients record (Art. 19)."""

from __future__ import annotations

import json
from datetime import datetime

from privacyops.cases.requests import verify_history
from privacyops.rules import lifecycle
from tests.data.test_import_files import counts, lines, problems, write
from tests.data.test_import_kinds import NO_REASONS, NO_REMEDIES, rows, run

HEADER = ("request_id,customer_id,request_type,received_at,channel,requester_email,status,forwarded_at,closed_at,"
          "outcome,refusal_ground,refusal_reasons,refusal_remedies_told,refusal_notified_at,recipients_notice,"
          "recipients_told_at")
RECEIVED = "2025-03-05T10:00:00Z,email,a@example.com"
CLOSED = "2025-03-05T11:00:00Z,2025-03-20T10:00:00Z"


def test_closing_fields_that_follow_the_rules_are_imported(customer_store, tmp_path):
    path = write(tmp_path, "requests.csv", lines(
        HEADER,
        # erasure refused for identity (a ground every right has), told with its notice
        f"A1,C01,erasure,{RECEIVED},refused,{CLOSED},,identity_not_confirmed,No ID received.,yes,"
        "2025-03-20T10:30:00Z,,",
        # no Art. 17(1) ground; notice time empty: the time it was closed
        f"A2,C01,erasure,{RECEIVED},refused,{CLOSED},,no_art17_1_ground,Still a customer.,ja,,,",
        f"A3,C01,erasure,{RECEIVED},completed,{CLOSED},,,,,,told,2025-03-19T08:00:00Z",
        f"A4,C01,restriction,{RECEIVED},completed,{CLOSED},,,,,,none,",
        f"A5,C01,rectification,{RECEIVED},in_progress,2025-03-05T11:00:00Z,,,,,,,,,",   # open, not yet told
        f"A6,C01,rectification,{RECEIVED},completed,{CLOSED},forwarded_only,,,,,,",     # the controller's part
        f"A7,C01,access,{RECEIVED},completed,{CLOSED},,,,,,,",
    ))
    report = run(customer_store, path, "requests")
    assert counts(report) == (7, 7, 0, 0), report.problems
    assert rows(customer_store, """
        SELECT request_id, refusal_ground, refusal_reasons, refusal_remedies_told, refusal_notified_at,
               recipients_notice, recipients_told_at, recipients_pending(request_type, outcome, recipients_notice)
        FROM requests ORDER BY request_id""") == [
        ("A1", "identity_not_confirmed", "No ID received.", True, datetime(2025, 3, 20, 10, 30), None, None, False),
        ("A2", "no_art17_1_ground", "Still a customer.", True, datetime(2025, 3, 20, 10, 0), None, None, False),
        ("A3", None, None, None, None, "told", datetime(2025, 3, 19, 8, 0), False),
        ("A4", None, None, None, None, "none", None, False),
        ("A5", None, None, None, None, None, None, True),
        ("A6", None, None, None, None, None, None, False),
        ("A7", None, None, None, None, None, None, False),
    ]
    changes = json.loads(rows(customer_store, "SELECT changes FROM request_history WHERE request_id = 'A1'")[0][0])
    assert changes["refusal_notified_at"] == [None, "2025-03-20 10:30:00"]   # as the import writes closed_at
    assert changes["refusal_remedies_told"] == [None, True]
    assert verify_history(customer_store) == []


def test_closing_fields_that_break_the_rules_are_rejected_with_reasons(customer_store, tmp_path):
    path = write(tmp_path, "requests.csv", lines(
        HEADER,
        f"B1,C01,access,{RECEIVED},refused,{CLOSED},,art17_3_e,Legal claim.,yes,,,",      # erasure ground
        f"B2,C01,erasure,{RECEIVED},refused,{CLOSED},,art17_3_e,,no,,,",                  # notice incomplete
        f"B3,C01,erasure,{RECEIVED},refused,{CLOSED},,art17_3_e,Legal claim.,yes,2025-03-01T10:00:00Z,,",
        f"B4,C01,erasure,{RECEIVED},refused,{CLOSED},,art17_3_e,Legal claim.,yes,2099-01-01T10:00:00Z,,",
        f"B5,C01,access,{RECEIVED},completed,{CLOSED},,,Not refused.,yes,,,",             # notice without refusal
        f"B6,C01,erasure,{RECEIVED},completed,{CLOSED},,,,,,,",                           # recipients missing
        f"B7,C01,erasure,{RECEIVED},completed,{CLOSED},,,,,,told,",                       # told without when
        f"B8,C01,erasure,{RECEIVED},completed,{CLOSED},,,,,,none,2025-03-19T08:00:00Z",   # none with a time
        f"B9,C01,access,{RECEIVED},completed,{CLOSED},,,,,,none,",                        # not an Art. 19 type
        f"B10,C01,erasure,{RECEIVED},completed,{CLOSED},,,,,,told,2025-03-01T08:00:00Z",  # before receipt
        f"B11,C01,erasure,{RECEIVED},completed,{CLOSED},,,,,,maybe,",
        f"B12,C01,erasure,{RECEIVED},completed,{CLOSED},forwarded_only,,,,,none,",        # the controller's part
    ))
    report = run(customer_store, path, "requests")
    assert counts(report) == (12, 0, 12, 0)
    assert problems(report) == [
        (2, "refusal_ground", "is not a ground for refusing Access (Art. 15); allowed: "
                              + ", ".join(lifecycle.refusal_grounds_for("access"))),
        (3, "refusal_reasons", NO_REASONS),
        (3, "refusal_remedies_told", NO_REMEDIES),
        (4, "refusal_notified_at", "is before received_at"),
        (5, "refusal_notified_at", "is in the future"),
        (6, "refusal_reasons", "is given but the request is not refused"),
        (6, "refusal_remedies_told", "is given but the request is not refused"),
        (7, "recipients_notice", "is required for a completed rectification, erasure or restriction: told or none "
                                 "(Art. 19: the recipients are told before it closes)"),
        (8, "recipients_told_at", "is required when recipients_notice is told"),
        (9, "recipients_told_at", "is given but recipients_notice is not told"),
        (10, "recipients_notice", "is only for a rectification, erasure or restriction (Art. 19)"),
        (11, "recipients_told_at", "is before received_at"),
        (12, "recipients_notice", "is not one of: told, none"),
        (13, "recipients_notice", "is given but the request is logged, refused, withdrawn or handled by the "
                                  "controller (then the controller tells its recipients)"),
    ]
    assert rows(customer_store, "SELECT count(*) FROM requests") == [(0,)]
    assert rows(customer_store, "SELECT count(*) FROM request_history") == [(0,)]
