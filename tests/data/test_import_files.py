"""Importing malformed files: every file we could think of, each with the exact report expected.

For each: rows read = imported + rejected + already present, the run and its rejects are recorded with
the same counts, and only the good rows reach the store. Files are tiny and hand-written so each line's
fate is visible in the test.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from privacyops.importing.options import ImportOptions
from privacyops.importing.pipeline import analyse, run_import
from privacyops.importing.read import inspect_file
from privacyops.importing.rejects import rejects_csv_bytes
from privacyops.importing.report import ImportReport
from privacyops.store import Store

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
HEADER = ("consent_id,customer_id,subject_id,given_at,method,policy_version,source,country,"
          "necessary,functional,analytics,marketing")


def row(consent_id: str, *, customer: str = "C01", subject: str = "S1", given: str = "2025-03-05T10:00:00Z",
        method: str = "accept_all", purposes: str = "true,true,true,true", sep: str = ",") -> str:
    values = [consent_id, customer, subject, given, method, "2025-09", "banner", "SE", *purposes.split(",")]
    return sep.join(values)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


def run(store: Store, path: Path, kind: str = "consent", *, dry_run: bool = False,
        **overrides) -> ImportReport:
    info = inspect_file(path)
    options = info.default_options()
    if overrides:
        values = {**options.reading(), "mapping": options.mapping, "mapping_name": ""}
        values.update(overrides)
        options = ImportOptions(values["format"], values["encoding"], values["delimiter"],
                                values["decimal_comma"], tuple(values["mapping"]), "")
    if dry_run:
        return analyse(store, path, kind, options, now=NOW)
    return run_import(store, path, kind, options, actor="tester@example.com", now=NOW,
                      rejects_dir=path.parent / "rejects")


def counts(report: ImportReport) -> tuple[int, int, int, int]:
    return report.read, report.imported, report.rejected, report.duplicates


def problems(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(p.line, p.column, p.reason) for p in report.problems]


def table_count(store: Store, table: str) -> int:
    with store.cursor() as cur:
        return cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - test constants


def assert_recorded(store: Store, report: ImportReport) -> None:
    """The run row says what the report says, and the rejects table holds exactly the rejected lines."""
    assert report.balanced, report.sentence()
    with store.cursor() as cur:
        run_row = cur.execute("SELECT rows_read, rows_imported, rows_rejected, rows_duplicate FROM import_runs "
                              "WHERE run_id = $r", {"r": report.run_id}).fetchone()
        rejected_lines = cur.execute("SELECT count(DISTINCT line_number) FROM import_rejects WHERE run_id = $r",
                                     {"r": report.run_id}).fetchone()[0]
    assert run_row == counts(report)
    assert rejected_lines == report.rejected


def ids(store: Store) -> list[str]:
    with store.cursor() as cur:
        return [r[0] for r in cur.execute("SELECT consent_id FROM consent_records ORDER BY consent_id").fetchall()]


# --- clean files and idempotency ---------------------------------------------------------------------


def test_clean_file_imports_and_the_same_file_again_adds_nothing(customer_store, tmp_path):
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1"), row("CR2", customer="C02"), row("CR3")))
    first = run(customer_store, path)
    assert counts(first) == (3, 3, 0, 0)
    assert first.problems == [] and first.file_problem is None
    assert_recorded(customer_store, first)
    again = run(customer_store, path)
    assert counts(again) == (3, 0, 0, 3)
    assert_recorded(customer_store, again)
    assert ids(customer_store) == ["CR1", "CR2", "CR3"]
    with customer_store.cursor() as cur:
        stored = cur.execute("SELECT * FROM consent_records WHERE consent_id = 'CR1'").fetchone()
    assert stored == ("CR1", "C01", "S1", datetime(2025, 3, 5, 10, 0), "accept_all", "2025-09", "banner", "SE",
                      True, True, True, True)


def test_preview_reports_exactly_what_the_import_does_and_writes_nothing(customer_store, tmp_path):
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1"), row("CR2", customer="C99"), row("CR1")))
    preview = run(customer_store, path, dry_run=True)
    assert counts(preview) == (3, 1, 2, 0)
    assert preview.run_id is None
    assert table_count(customer_store, "consent_records") == 0
    assert table_count(customer_store, "import_runs") == 0
    assert [p["outcome"] for p in preview.preview] == ["new", "rejected", "rejected"]
    real = run(customer_store, path)
    assert counts(real) == counts(preview)
    assert problems(real) == problems(preview)


# --- the shape of the file ----------------------------------------------------------------------------


def test_wrong_delimiter_rejects_every_row_and_says_which_delimiter_it_is(customer_store, tmp_path):
    text = lines(HEADER.replace(",", ";"), row("CR1", sep=";"), row("CR2", sep=";"))
    path = write(tmp_path, "semicolons.csv", text)
    report = run(customer_store, path, delimiter=",")
    missing = ("customer_id, subject_id, given_at, method, policy_version, source, country, functional, "
               "analytics, marketing")
    assert counts(report) == (2, 0, 2, 0)
    assert problems(report) == [
        (2, "(file)", f"the file has no {missing} columns (map the file's columns to the contract)"),
        (3, "(file)", f"the file has no {missing} columns (map the file's columns to the contract)"),
    ]
    assert "probably separated by semicolons (semicolon ;)" in report.file_problem
    assert not report.succeeded
    assert_recorded(customer_store, report)
    # detected, the same file imports
    assert counts(run(customer_store, path)) == (2, 2, 0, 0)


def test_a_missing_column_in_the_header_rejects_every_row(customer_store, tmp_path):
    header = HEADER.removesuffix(",marketing")
    path = write(tmp_path, "consent.csv", lines(header, row("CR1").rsplit(",", 1)[0]))
    report = run(customer_store, path)
    assert counts(report) == (1, 0, 1, 0)
    assert problems(report) == [
        (2, "(file)", "the file has no marketing column (map the file's columns to the contract)")]
    assert report.file_problem.startswith("The file has no column for marketing: no row can be imported.")


def test_missing_and_extra_values_in_rows_and_an_extra_column(customer_store, tmp_path):
    path = write(tmp_path, "consent.csv", lines(
        HEADER + ",browser",
        row("CR1") + ",firefox",
        row("CR2"),                       # one value short
        row("CR3") + ",chrome,extra",     # one value too many
        row("CR4") + ",",                 # an empty browser
    ))
    report = run(customer_store, path)
    assert counts(report) == (4, 2, 2, 0)
    assert problems(report) == [
        (3, "(row)", "has fewer values than the header has columns (12 values, 13 columns)"),
        (4, "(row)", "has more values than the header has columns (a delimiter inside a value that is not "
                     "quoted?) (14 values, 13 columns)"),
    ]
    assert report.ignored_columns == ["browser"]
    assert "Columns not imported (not in the contract, or not mapped): browser." in report.warnings
    assert ids(customer_store) == ["CR1", "CR4"]
    assert_recorded(customer_store, report)


def test_empty_file(customer_store, tmp_path):
    path = write(tmp_path, "empty.csv", b"")
    report = run(customer_store, path)
    assert counts(report) == (0, 0, 0, 0)
    assert report.file_problem == "The file is empty: there is no header line and no rows."
    assert report.run_id is None and not report.succeeded
    assert table_count(customer_store, "import_runs") == 0


def test_header_only(customer_store, tmp_path):
    path = write(tmp_path, "header.csv", HEADER + "\n")
    report = run(customer_store, path)
    assert counts(report) == (0, 0, 0, 0)
    assert report.file_problem == "The file has a header line but no rows."
    assert not report.succeeded
    assert_recorded(customer_store, report)


def test_blank_lines_and_empty_rows_are_skipped_and_line_numbers_stay_right(customer_store, tmp_path):
    path = write(tmp_path, "consent.csv", lines(
        HEADER, row("CR1"), "", row("CR2", customer="C99"), ",,,,,,,,,,,", "", row("CR3", given="nonsense"), "", ""))
    report = run(customer_store, path)
    assert counts(report) == (3, 1, 2, 0)
    assert report.empty_rows == 1
    assert problems(report) == [
        (4, "customer_id", "is not a customer in the store (import or add the customer first)"),
        (7, "given_at", "is not an ISO 8601 date and time (e.g. 2025-03-05T10:15:00Z or 2025-03-05 11:15)"),
    ]
    assert "2 blank lines were skipped; blank lines are not rows (line numbers count them)." in report.warnings
    assert_recorded(customer_store, report)


def test_a_value_spanning_lines_counts_as_one_row_like_a_spreadsheet(customer_store, tmp_path):
    path = write(tmp_path, "consent.csv", lines(
        HEADER, row("CR1", subject='"two\nlines"'), row("CR2", customer="C99"), row("CR3")))
    report = run(customer_store, path)
    assert counts(report) == (3, 1, 2, 0)
    assert problems(report) == [
        (2, "subject_id", "contains a line break (a quote that is not closed?)"),
        (3, "customer_id", "is not a customer in the store (import or add the customer first)"),
    ]
    assert any("1 line break is inside quoted values" in w for w in report.warnings)


# --- values --------------------------------------------------------------------------------------------


def test_bad_impossible_and_future_dates(customer_store, tmp_path):
    path = write(tmp_path, "dates.csv", lines(
        HEADER,
        row("D1", given="yesterday"),
        row("D2", given="2025-02-30T10:00:00Z"),
        row("D3", given="2025-13-01 10:00"),
        row("D4", given="2025-03-05T25:00:00Z"),
        row("D5", given="2025-03-30 02:30"),            # the hour Stockholm skips
        row("D6", given="2025-03-05T10:00:00+25:00"),
        row("D7", given="1899-12-31T10:00:00Z"),
        row("D8", given="2026-01-15T12:00:01Z"),        # a second after NOW
        row("D9", given="2026-01-15 13:00"),            # NOW in Stockholm time: not future
        row("D10", given="2025-03-05T11:00:00+01:00"),
        row("D11", given="2025-10-26 02:30"),           # an hour Stockholm has twice: read as +01:00
    ))
    report = run(customer_store, path)
    assert counts(report) == (11, 3, 8, 0)
    assert problems(report) == [
        (2, "given_at", "is not an ISO 8601 date and time (e.g. 2025-03-05T10:15:00Z or 2025-03-05 11:15)"),
        (3, "given_at", "is not a real date (no such day)"),
        (4, "given_at", "is not a real date (no such day)"),
        (5, "given_at", "is not a real time of day"),
        (6, "given_at", "does not exist in Stockholm (the clocks jumped an hour forward): give the UTC offset"),
        (7, "given_at", "has an impossible UTC offset"),
        (8, "given_at", "is before 1990: check the year"),
        (9, "given_at", "is in the future"),
    ]
    with customer_store.cursor() as cur:
        stored = dict(cur.execute("SELECT consent_id, given_at FROM consent_records").fetchall())
    assert stored == {"D9": datetime(2026, 1, 15, 12, 0), "D10": datetime(2025, 3, 5, 10, 0),
                      "D11": datetime(2025, 10, 26, 1, 30)}
    assert_recorded(customer_store, report)


def test_allowed_values_booleans_countries_and_the_consent_rules(customer_store, tmp_path):
    path = write(tmp_path, "values.csv", lines(
        HEADER,
        row("V1", method="Accept_All", purposes="ja,JA,yes,1"),
        row("V2", method="opt_in"),
        row("V3", purposes="true,maybe,true,true"),
        row("V4", method="accept_all", purposes="true,true,true,false"),
        row("V5", method="withdrawal", purposes="true,false,true,false"),
        "V6,C01,S6,2025-03-05T10:00:00Z,custom,2025-09,popup,Sverige,,true,false,false",
        "V7,C01,S7,2025-03-05T10:00:00Z,custom,2025-09,api,se,,false,true,false",
    ))
    report = run(customer_store, path)
    assert counts(report) == (7, 2, 5, 0)
    assert problems(report) == [
        (3, "method", "is not one of: accept_all, reject_all, custom, withdrawal, implied, pre_ticked"),
        (4, "functional", "is not true or false (true/false, yes/no, 1/0, ja/nej)"),
        (5, "method", "is accept_all but functional, analytics or marketing is false"),
        (6, "method", "is a refusal or withdrawal but functional, analytics or marketing is true"),
        (7, "country", "is not a two-letter country code (or other)"),
        (7, "source", "is not one of: banner, settings_page, api"),
    ]
    with customer_store.cursor() as cur:
        stored = cur.execute("SELECT consent_id, method, country, necessary, functional, analytics, marketing "
                             "FROM consent_records ORDER BY 1").fetchall()
    assert stored == [("V1", "accept_all", "SE", True, True, True, True),
                      ("V7", "custom", "SE", True, False, True, False)]


def test_duplicate_ids_inside_the_file_and_against_the_store(customer_store, tmp_path):
    run(customer_store, write(tmp_path, "first.csv", lines(HEADER, row("CR1"))))
    path = write(tmp_path, "second.csv", lines(
        HEADER, row("CR1"), row("CR2"), row("CR3"), row("CR2", subject="other"), row("CR2"), row("bad id!")))
    report = run(customer_store, path)
    assert counts(report) == (6, 2, 3, 1)
    assert problems(report) == [
        (5, "consent_id", "appears again in this file (first on line 3)"),
        (6, "consent_id", "appears again in this file (first on line 3)"),
        (7, "consent_id", "is not an id (1-64 letters, digits and _ . : / -, no spaces)"),
    ]
    assert ids(customer_store) == ["CR1", "CR2", "CR3"]
    assert_recorded(customer_store, report)


def test_unknown_customers(customer_store, tmp_path):
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1", customer="C99"), row("CR2", customer="c01"),
                                                row("CR3", customer="C02")))
    report = run(customer_store, path)
    assert counts(report) == (3, 1, 2, 0)
    assert problems(report) == [
        (2, "customer_id", "is not a customer in the store (import or add the customer first)"),
        (3, "customer_id", "is not a customer in the store (import or add the customer first)"),
    ]


def test_required_values_and_lengths(customer_store, tmp_path):
    path = write(tmp_path, "consent.csv", lines(
        HEADER, row("CR1", subject=""), row("CR2", subject="x" * 129), row("CR3", subject="  padded  ")))
    report = run(customer_store, path)
    assert counts(report) == (3, 1, 2, 0)
    assert problems(report) == [(2, "subject_id", "is required"),
                                (3, "subject_id", "is longer than 128 characters")]
    with customer_store.cursor() as cur:
        assert cur.execute("SELECT subject_id FROM consent_records").fetchall() == [("padded",)]


# --- bytes, quotes and lengths ------------------------------------------------------------------------


def test_windows_1252_file_is_detected_and_read_right(customer_store, tmp_path):
    text = lines(HEADER, row("CR1", subject="Åsa–Öberg"), row("CR2", subject="Bjärred €"))
    path = write(tmp_path, "excel.csv", text.encode("cp1252"))
    info = inspect_file(path)
    assert info.detected.encoding == "windows-1252"
    report = run(customer_store, path)
    assert counts(report) == (2, 2, 0, 0)
    with customer_store.cursor() as cur:
        subjects = [r[0] for r in cur.execute("SELECT subject_id FROM consent_records ORDER BY 1").fetchall()]
    assert subjects == ["Bjärred €", "Åsa–Öberg"]


def test_non_utf8_bytes_in_a_utf8_file_reject_their_row(customer_store, tmp_path):
    good = lines(HEADER, row("CR1", subject="Örjan")).encode("utf-8")
    bad = row("CR2", subject="Åsa").encode("cp1252") + b"\n"
    path = write(tmp_path, "mixed.csv", good + bad + (row("CR3") + "\n").encode())
    assert inspect_file(path).detected.encoding == "utf-8"
    report = run(customer_store, path)
    assert counts(report) == (3, 2, 1, 0)
    assert [(p.line, p.reason) for p in report.problems] == [
        (3, "is not valid UTF-8 text (choose the encoding Windows-1252 if it comes from Excel)")]
    assert ids(customer_store) == ["CR1", "CR3"]
    assert_recorded(customer_store, report)


def test_bytes_windows_1252_does_not_define_are_rejected(customer_store, tmp_path):
    path = write(tmp_path, "excel.csv", lines(HEADER, row("CR1", subject="Åsa")).encode("cp1252")
                 + (row("CR2", subject="S\x81X") + "\n").encode("latin-1"))
    report = run(customer_store, path, encoding="windows-1252")
    assert counts(report) == (2, 1, 1, 0)
    assert problems(report) == [(3, "subject_id", "contains bytes that are not text in the chosen encoding")]


def test_a_very_long_line(customer_store, tmp_path):
    long_subject = "x" * 3_000_000
    path = write(tmp_path, "long.csv", lines(HEADER, row("CR1"), row("CR2", subject=long_subject), row("CR3")))
    report = run(customer_store, path)
    assert counts(report) == (3, 2, 1, 0)
    assert problems(report) == [
        (3, "(row)", "is longer than DuckDB's maximum line size (a quote that is never closed?)")]
    assert ids(customer_store) == ["CR1", "CR3"]
    assert_recorded(customer_store, report)


def test_stray_quotes(customer_store, tmp_path):
    path = write(tmp_path, "quotes.csv", lines(
        HEADER,
        row("CR1", subject='"S1 ""quoted"" fine"'),
        row("CR2", subject='"S2 "stray" quote"'),
        row("CR3", subject='S3 "inside" unquoted'),
        row("CR4"),
    ))
    report = run(customer_store, path)
    assert counts(report) == (4, 3, 1, 0)
    reason = "has a stray quote: a quoted value must be wholly in quotes, with quotes inside it doubled"
    assert problems(report) == [(3, "(row)", reason)]
    with customer_store.cursor() as cur:
        assert cur.execute("SELECT consent_id, subject_id FROM consent_records ORDER BY 1").fetchall() == [
            ("CR1", 'S1 "quoted" fine'), ("CR3", 'S3 "inside" unquoted'), ("CR4", "S1")]


def test_a_quote_never_closed_swallows_the_rest_and_is_reported(customer_store, tmp_path):
    path = write(tmp_path, "quotes.csv", lines(HEADER, row("CR1"), row("CR2", subject='"S2 never closed'),
                                               row("CR3"), row("CR4")))
    report = run(customer_store, path)
    assert counts(report) == (2, 1, 1, 0)
    assert [p.line for p in report.problems] == [3]
    assert report.problems[0].column == "(row)"
    assert any("line breaks are inside quoted values" in w for w in report.warnings)
    assert ids(customer_store) == ["CR1"]
    assert_recorded(customer_store, report)


def test_formula_cells_are_stored_as_text_and_neutralised_in_the_rejects(customer_store, tmp_path):
    formula = '=HYPERLINK("http://evil.example.com","click")'
    quoted = '"' + formula.replace('"', '""') + '"'
    path = write(tmp_path, "formula.csv", lines(
        HEADER, row("CR1", subject=quoted), row("CR2", subject=quoted, customer="C99"), row("CR3", subject="@SUM(1)"),
        row("CR4", subject="-2+3", customer="=1+1")))
    report = run(customer_store, path)
    assert counts(report) == (4, 2, 2, 0)
    with customer_store.cursor() as cur:
        stored = dict(cur.execute("SELECT consent_id, subject_id FROM consent_records").fetchall())
    assert stored == {"CR1": formula, "CR3": "@SUM(1)"}
    with open(report.rejects_path, encoding="utf-8-sig", newline="") as handle:
        rejects = list(csv.reader(handle))
    assert rejects[0][:4] == ["line", "problems", "consent_id", "customer_id"]
    assert [r[0] for r in rejects[1:]] == ["3", "5"]
    assert rejects[1][4] == "'" + formula
    assert rejects[2][3] == "'=1+1" and rejects[2][4] == "'-2+3"
    assert rejects[2][1] == "customer_id: is not a customer in the store (import or add the customer first) (=1+1)"
    for cells in rejects[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


# --- other formats and kinds of id -----------------------------------------------------------------------


def test_consent_without_an_id_column_is_identified_by_its_content(customer_store, tmp_path):
    header = HEADER.removeprefix("consent_id,")
    path = write(tmp_path, "banner.csv", lines(
        header, row("x").removeprefix("x,"), row("x", subject="S2").removeprefix("x,"), row("x").removeprefix("x,")))
    report = run(customer_store, path)
    assert counts(report) == (3, 2, 0, 1)
    assert any("identified by a hash of its content" in w for w in report.warnings)
    assert all(i.startswith("H") and len(i) == 33 for i in ids(customer_store))
    assert counts(run(customer_store, path)) == (3, 0, 0, 3)


def test_json_lines(customer_store, tmp_path):
    path = write(tmp_path, "consent.jsonl", lines(
        '{"consent_id": "J1", "customer_id": "C01", "subject_id": "S1", "given_at": "2025-03-05T10:00:00Z", '
        '"method": "custom", "policy_version": "2025-09", "source": "api", "country": "SE", "necessary": true, '
        '"functional": true, "analytics": false, "marketing": false, "extra": 1}',
        "",
        "not json at all",
        "[1, 2, 3]",
        '{"consent_id": "J2", "customer_id": "C01", "subject_id": "S2", "given_at": "2025-03-05T10:00:00Z", '
        '"method": "custom", "policy_version": "2025-09", "source": "api", "country": "SE", "necessary": true, '
        '"functional": "yes", "analytics": null, "marketing": false}',
    ))
    info = inspect_file(path)
    assert info.detected.format == "jsonl"
    report = run(customer_store, path)
    assert counts(report) == (4, 1, 3, 0)
    assert report.empty_rows == 1
    assert problems(report) == [(3, "(line)", "is not a JSON object"), (4, "(line)", "is not a JSON object"),
                                (5, "analytics", "is required")]
    assert report.ignored_columns == ["extra"]
    assert ids(customer_store) == ["J1"]


def test_json_lines_the_reader_rejects_keep_their_line_numbers(customer_store, tmp_path):
    good = ('{"consent_id": "J%d", "customer_id": "C01", "subject_id": "S1", "given_at": "2025-03-05T10:00:00Z", '
            '"method": "custom", "policy_version": "2025-09", "source": "api", "country": "SE", '
            '"functional": true, "analytics": false, "marketing": %s}')
    data = ((good % (1, "false") + "\n").encode() + b'{"consent_id": "\xc5"}\n'
            + (good % (3, "false")).encode() + b"\x1fzz\n" + (good % (4, '"maybe"') + "\n").encode()
            + (good % (5, "false") + "\n").encode())
    path = write(tmp_path, "consent.jsonl", data)
    report = run(customer_store, path, encoding="utf-8")
    assert counts(report) == (5, 2, 3, 0)
    assert problems(report) == [
        (2, "(line)", "is not valid UTF-8 text (choose the encoding Windows-1252 if it comes from Excel)"),
        (3, "(line)", "is not a JSON object"),
        (4, "marketing", "is not true or false (true/false, yes/no, 1/0, ja/nej)"),
    ]
    assert ids(customer_store) == ["J1", "J5"]
    assert_recorded(customer_store, report)


def test_parquet_with_typed_columns(customer_store, tmp_path):
    path = tmp_path / "consent.parquet"
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT * FROM (VALUES
            ('P1', 'C01', 'S1', TIMESTAMPTZ '2025-03-05 11:00:00+01', 'accept_all', true, true, true),
            ('P2', 'C01', 'S2', TIMESTAMPTZ '2099-03-05 11:00:00+01', 'accept_all', true, true, true),
            ('P3', 'C02', 'S3', TIMESTAMPTZ '2025-06-01 08:00:00+00', 'reject_all', false, false, false))
            AS t(consent_id, customer_id, subject_id, given_at, method, functional, analytics, marketing))
        TO '{path}' (FORMAT parquet)
    """)  # noqa: S608 - a test file
    con.close()
    report = run(customer_store, path, mapping=())
    assert report.file_problem.startswith("The file has no column for policy_version, source, country")
    # the same file with the missing columns added
    con = duckdb.connect()
    full_path = tmp_path / "full.parquet"
    sql = f"COPY (SELECT *, '2025-09' AS policy_version, 'banner' AS source, 'SE' AS country FROM read_parquet('{path}')) "  # noqa: S608, E501
    con.execute(sql + f"TO '{full_path}' (FORMAT parquet)")
    con.close()
    full = run(customer_store, full_path)
    assert counts(full) == (3, 2, 1, 0)
    assert problems(full) == [(2, "given_at", "is in the future")]
    with customer_store.cursor() as cur:
        assert cur.execute("SELECT consent_id, given_at, necessary FROM consent_records ORDER BY 1").fetchall() == [
            ("P1", datetime(2025, 3, 5, 10, 0), True), ("P3", datetime(2025, 6, 1, 8, 0), True)]


def test_mapping_headers_that_differ(customer_store, tmp_path):
    header = "ID;Kund;Besökare;Tidpunkt;Val;Policy;Källa;Land;Nödvändiga;Funktion;Analys;Marknadsföring"
    path = write(tmp_path, "banner.csv", lines(header, row("CR1", sep=";")))
    unmapped = run(customer_store, path, dry_run=True)
    assert unmapped.file_problem is not None
    mapping = dict(zip(HEADER.split(","), header.split(";"), strict=True))
    report = run(customer_store, path, mapping=tuple(sorted(mapping.items())))
    assert counts(report) == (1, 1, 0, 0)
    assert report.mapping == mapping


def test_rejects_file_keeps_every_rejected_row_as_it_was(customer_store, tmp_path):
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1"), row("CR2", customer="C99", given="soon"),
                                                row("CR3") + ",extra"))
    report = run(customer_store, path)
    with open(report.rejects_path, encoding="utf-8-sig", newline="") as handle:
        rejects = list(csv.reader(handle))
    assert rejects[0] == ["line", "problems", *HEADER.split(",")]
    assert rejects[1] == ["3", "customer_id: is not a customer in the store (import or add the customer first) (C99); "
                          "given_at: is not an ISO 8601 date and time (e.g. 2025-03-05T10:15:00Z or 2025-03-05 11:15) "
                          "(soon)", *row("CR2", customer="C99", given="soon").split(",")]
    assert rejects[2][:3] == ["4", "(row): has more values than the header has columns (a delimiter inside a value "
                              "that is not quoted?) (13 values, 12 columns) (" + row("CR3") + ",extra)",
                              row("CR3") + ",extra"]
    assert len(rejects) == 3
    # the download of a recorded run is the same file
    assert rejects_csv_bytes(customer_store, report.run_id) == Path(report.rejects_path).read_bytes()
    assert io.BytesIO(Path(report.rejects_path).read_bytes()).read(3) == b"\xef\xbb\xbf"


@pytest.mark.parametrize("kind", ["customers", "requests", "retention"])
def test_other_kinds_refuse_a_consent_file_with_one_clear_problem_per_row(customer_store, tmp_path, kind):
    path = write(tmp_path, "consent.csv", lines(HEADER, row("CR1")))
    report = run(customer_store, path, kind)
    assert counts(report) == (1, 0, 1, 0)
    assert [p.column for p in report.problems] == ["(file)"]
