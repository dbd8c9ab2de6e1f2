"""The history hash chain (privacyops.history), without a database."""

from datetime import datetime

from privacyops import history


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
