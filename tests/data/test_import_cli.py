"""The command line's import (privacyops.importing.cli.cli_import) and the all-or-nothing write: exit codes, the
JSON last line, progress on stderr, the refusal while the dashboard holds the store, and imports that fail
or are killed midway leave the store as it was."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from privacyops.cases import customers
from privacyops.importing import write as write_step
from privacyops.importing.cli import cli_import
from privacyops.importing.pipeline import run_import
from privacyops.importing.read import inspect_file
from privacyops.store import open_store
from tests.conftest import make_customer
from tests.data.test_import_files import HEADER, lines, row, write

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"


def cli(store_or_path, kind: str, file: Path, **kwargs) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli_import(store_or_path, kind, file, out=out, err=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


def test_json_report_on_the_last_line_and_rejects_written_beside_the_store(customer_store, tmp_path):
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1"), row("CR2", customer="C99")))
    code, out, err = cli(customer_store, "consent", path, as_json=True)
    assert code == 0
    last = json.loads(out.strip().splitlines()[-1])
    assert {k: last[k] for k in ("read", "imported", "rejected", "duplicates", "balanced")} == {
        "read": 2, "imported": 1, "rejected": 1, "duplicates": 0, "balanced": True}
    rejects = Path(last["rejects_path"])
    assert rejects.parent == customer_store.path.parent / "rejects" and rejects.exists()
    assert "[ 15%] Parsing and checking every row" in err
    assert "2 rows read = 1 imported + 1 rejected + 0 already present" in err
    # again: nothing new, still exit 0 (the rows are in the store)
    code, out, _ = cli(customer_store, "consent", path, as_json=True)
    assert code == 0
    assert json.loads(out.strip().splitlines()[-1])["duplicates"] == 1


def test_plain_text_report(customer_store, tmp_path):
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1", given="2025-02-30T10:00:00Z")))
    code, out, _ = cli(customer_store, "consent", path)
    assert code == 1                       # nothing could be imported
    assert out.splitlines()[0].startswith("1 rows read = 0 imported + 1 rejected + 0 already present")
    assert "         1  given_at: is not a real date (no such day)" in out
    assert "Every rejected row, with its line number and reasons: " in out


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty"),
    (HEADER.encode() + b"\n", "The file has a header line but no rows."),
])
def test_nothing_to_import_exits_1(customer_store, tmp_path, content, message):
    code, out, _ = cli(customer_store, "consent", write(tmp_path, "x.csv", content), as_json=True)
    assert code == 1
    last = json.loads(out.strip().splitlines()[-1])
    assert last["read"] == 0 and message in last["file_problem"]


def test_usage_errors_exit_2(customer_store, tmp_path):
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1")))
    assert cli(customer_store, "cookies", path)[0] == 2
    assert cli(customer_store, "consent", tmp_path / "missing.csv")[0] == 2
    code, _, err = cli(customer_store, "consent", path, mapping="Banner")
    assert code == 2 and "There is no saved consent mapping 'Banner'" in err
    code, _, err = cli(customer_store, "consent", path, delimiter=":")
    assert code == 2 and "The delimiter is one of" in err


def test_options_override_detection(customer_store, tmp_path):
    path = write(tmp_path, "consent.txt", lines(HEADER.replace(",", "\t"), row("CR1", sep="\t")))
    assert cli(customer_store, "consent", path, delimiter="tab", as_json=True)[0] == 0
    assert customer_store.query("import_runs", kind="consent")["rows_imported"].tolist() == [1]


def test_a_store_held_by_another_program_is_refused_naming_it(tmp_path):
    db = tmp_path / "held.duckdb"
    open_store(db).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(db)!r})
        print("holding", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1")))
        code, out, err = cli(db, "consent", path, as_json=True)
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    assert "Nothing was imported." in err
    assert "held by another program (python -c" in err and f"process {holder.pid}" in err
    assert json.loads(out.strip().splitlines()[-1])["imported"] == 0


def test_a_failure_midway_leaves_the_store_as_it_was(customer_store, tmp_path, monkeypatch):
    header = "request_id,customer_id,request_type,received_at,channel,requester_email"
    path = write(tmp_path, "requests.csv", lines(header, "R-1,C01,access,2025-03-05T10:00:00Z,email,a@example.com"))

    def broken(*args):
        raise OSError("No space left on device")

    monkeypatch.setattr(write_step, "append_request_history", broken)
    with pytest.raises(OSError, match="No space left"):
        run_import(customer_store, path, "requests", inspect_file(path).default_options(),
                   actor="t")
    with customer_store.cursor() as cur:
        assert cur.execute("SELECT (SELECT count(*) FROM requests), (SELECT count(*) FROM import_runs), "
                           "(SELECT count(*) FROM import_rejects)").fetchone() == (0, 0, 0)


def test_a_killed_import_leaves_nothing_behind(tmp_path):
    db = tmp_path / "store.duckdb"
    store = open_store(db)
    customers.save(store, make_customer("C01", "Testkund Ett AB"), actor="t")
    store.close()
    big = tmp_path / "big.csv"
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT 'K' || i AS consent_id, 'C01' AS customer_id, 'S' || (i % 1000) AS subject_id,
                     '2025-03-05T10:00:00Z' AS given_at, 'accept_all' AS method, '2025-09' AS policy_version,
                     'banner' AS source, 'SE' AS country, 'true' AS necessary, 'true' AS functional,
                     'true' AS analytics, 'true' AS marketing
              FROM range(600000) AS r(i)) TO '{big}' (HEADER)
    """)  # noqa: S608 - a test file
    con.close()
    script = ("import sys; from privacyops.importing.cli import cli_import; "
              f"sys.exit(cli_import({str(db)!r}, 'consent', {str(big)!r}))")
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)})
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = child.stderr.readline()
        seen.append(line)
        if "Writing the new rows" in line or not line:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert any("Writing the new rows" in line for line in seen), seen
    assert child.returncode == -signal.SIGKILL
    store = open_store(db)
    try:
        with store.cursor() as cur:
            assert cur.execute("SELECT (SELECT count(*) FROM consent_records), (SELECT count(*) FROM import_runs), "
                               "(SELECT count(*) FROM import_rejects)").fetchone() == (0, 0, 0)
        # the store works: the sample consent file imports after the kill
        small = write(tmp_path, "small.csv", lines(HEADER, row("CR1")))
        assert run_import(store, small, "consent", inspect_file(small).default_options(),
                          actor="t").imported == 1
    finally:
        store.close()


@pytest.mark.parametrize("name", ["book.xlsx", "picture.png", "random.bin", "unicode.csv"])
def test_a_file_that_is_not_text_is_named_not_parsed(customer_store, tmp_path, name):
    """No parser's wording ("new-line character seen in unquoted field", "CSV Parser state machine"):
    the command says what the file is and what to do, and writes nothing."""
    from tests.unit.test_import_detect import NOT_TEXT

    content = {"book.xlsx": NOT_TEXT["xlsx"][0], "picture.png": NOT_TEXT["png"][0],
               "random.bin": NOT_TEXT["random"][0],
               "unicode.csv": lines(HEADER, row("CR1")).encode("utf-16")}[name]
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = cli(customer_store, "consent", path, as_json=True)
    assert code == 1
    said = json.loads(out.strip().splitlines()[-1])["file_problem"]
    expected = ("This file is UTF-16 text" if name == "unicode.csv" else "This file is not text: it looks like")
    assert said.startswith(expected) and said.endswith("import that file."), said
    assert f"Nothing imported: {said}" in err
    for engine_wording in ("new-line character", "state machine", "Invalid Input Error", "header line but no rows"):
        assert engine_wording not in out + err
    with customer_store.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM consent_records").fetchone() == (0,)


def _damaged(tmp_path: Path) -> Path:
    """A CSV with a block of bytes that are no text in it (stray quotes and line breaks among them): a damaged
    file that DuckDB's CSV reader gives up on ("The CSV Parser state machine reached an invalid state")."""
    good = lines(HEADER, *(row(f"CR{i}") for i in range(20))).encode()
    noise = bytes(b for b in random.Random(4).randbytes(300) if b != 0)
    return write(tmp_path, "consent.csv", good[:400] + noise + good[400:])


@pytest.mark.parametrize(("build", "extra", "words", "engine"), [
    (_damaged, {}, "consent.csv cannot be read as CSV: part of it is not utf-8 text",
     "CSV Parser state machine"),
    (lambda tmp: write(tmp, "consent.csv", lines(HEADER, row("CR1"), row("CR2")).replace("\n", "\r")), {},
     "consent.csv ends its lines with a carriage return only", "universal-newline mode"),
    (lambda tmp: write(tmp, "consent.csv", lines(HEADER, row("CR1"))), {"file_format": "parquet"},
     "consent.csv is not a Parquet file (a Parquet file ends with the marker PAR1). Leave out --format",
     "No magic bytes found"),
])
def test_an_unreadable_file_is_said_in_words_not_the_engines(customer_store, tmp_path, build, extra, words, engine):
    """Issue 11, item 7 (the command line): what the file is and what to do, never the reader's own wording."""
    code, out, err = cli(customer_store, "consent", build(tmp_path), as_json=True, **extra)
    assert code == 1
    assert words in err
    assert engine not in err and engine not in out and "Invalid Input Error" not in err + out
    assert customer_store.query("import_runs", kind="consent")["rows_imported"].sum() == 0
