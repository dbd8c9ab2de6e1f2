"""The history hash chain (privacyops.store.history), without a database."""

from datetime import datetime

from privacyops.store import history


def chain(n: int) -> list[tuple]:
    rows, prev = [], history.GENESIS_HASH
    for i in range(1, n + 1):
        at = datetime(2026, 1, i, 9, 30)
        changes = history.canonical_changes({"status": ["logged", "forwarded"]})
        digest = history.entry_hash(prev, i, f"DSR-{i:06d}", at, "agent@example.com", "forward", changes, "")
        rows.append((i, f"DSR-{i:06d}", at, "agent@example.com", "forward", changes, "", prev, digest))
        prev = digest
    return rows


def test_intact_chain_verifies():
    assert history.verify_chain(chain(5)) == []


def test_changed_content_is_named():
    rows = chain(5)
    rows[2] = (*rows[2][:6], "edited later", *rows[2][7:])
    problems = history.verify_chain(rows)
    assert [p.entry_id for p in problems] == [3]
    assert "no longer matches its hash" in str(problems[0])


def test_removed_entry_is_named():
    rows = chain(5)
    del rows[1]
    problems = history.verify_chain(rows)
    assert problems and problems[0].entry_id == 3
    assert "missing" in problems[0].reason


def test_canonical_changes_is_stable():
    assert history.canonical_changes({"b": 1, "a": [None, "x"]}) == '{"a":[null,"x"],"b":1}'


def test_personal_data_never_enters_the_history():
    redacted = history.without_personal_data({"requester_email": [None, "a@example.com"], "status": [None, "x"],
                                              "description": ["old text", None]})
    assert redacted == {"requester_email": [None, history.REDACTED], "status": [None, "x"],
                        "description": [history.REDACTED, None]}


def test_a_subject_id_never_enters_the_history():
    """rules.md 4: the requester's subject id is the dashboard's own personal data; the log cannot forget."""
    assert history.without_personal_data({"subject_id": [None, "u-1182"], "channel": [None, "email"]}) == {
        "subject_id": [None, history.REDACTED], "channel": [None, "email"]}
    assert history.without_personal_data({"subject_id": "u-1182"}) == {"subject_id": history.REDACTED}


def test_redact_and_rechain_changes_only_personal_values_and_the_hashes():
    rows = chain(3)
    personal = history.canonical_changes({"status": [None, "logged"], "subject_id": [None, "u-1182"]})
    digest = history.entry_hash(rows[1][7], 2, rows[1][1], rows[1][2], rows[1][3], "create", personal, "")
    rows[1] = (*rows[1][:4], "create", personal, "", rows[1][7], digest)
    rows[2] = (*rows[2][:7], digest, history.entry_hash(digest, *rows[2][:7]))
    assert history.verify_chain(rows) == []

    new, redacted = history.redact_and_rechain(rows)
    assert redacted == 1 and history.verify_chain(new) == []
    assert new[0] == rows[0]                                   # before the redacted entry nothing moves
    assert new[1][5] == '{"status":[null,"logged"],"subject_id":[null,"(recorded; not kept in the history)"]}'
    assert new[2][5] == rows[2][5] and new[2][8] != rows[2][8]  # same content, new link
    assert history.redact_and_rechain(new) == (new, 0)         # a second run changes nothing
