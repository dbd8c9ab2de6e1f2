"""Every CSV export, opened by a real spreadsheet: LibreOffice Calc (Debian's libreoffice-calc-nogui, which
`./dev test` installs) reads each file once with `,` and once with `;` as the separator, as Swedish Excel
does, and saves it as .xlsx. A cell Calc read as a formula is a `<f>` element in the sheet: there must be
none, while the hostile texts themselves are there, as text.

The hostile texts reach the exports the ways real ones do: imported (a customer name, a policy version),
in the access log, in an import's rejected rows, and in an SQL explorer result."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from privacyops.cases import access, exports
from privacyops.explorer import sandbox as explorer
from privacyops.importing.pipeline import analyse, run_import
from privacyops.importing.read import inspect_file
from privacyops.importing.rejects import rejects_csv_bytes
from privacyops.importing.report import ImportReport
from privacyops.store import Store
from tests.data.test_import_files import lines, write

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
AS_OF = date(2026, 1, 15)
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
HOSTILE = ["Acme;=1+1", "v1;=1+1", "=1+1", "x,=2+2", "y|@SUM(1)"]
# LibreOffice's CSV filter options: separator, text delimiter ("), UTF-8 (76), first line 1.
FILTERS = {"comma": "CSV:44,34,76,1", "semicolon": "CSV:59,34,76,1"}

CUSTOMERS = lines(
    "customer_id;name;org_number;forward_working_days;name_retention_days;name_end_action;email_retention_days;"
    "email_end_action;company_details_retention_days;company_details_end_action;user_data_retention_days;"
    "user_data_end_action;quote_content_retention_days;quote_content_end_action",
    '"S01";"Acme;=1+1";559900-1239;5;30;delete;30;delete;30;delete;30;delete;30;delete',
    "S02;=1+1;559900-4563;2;30;delete;30;delete;30;delete;30;delete;30;delete")
CONSENT_HEADER = ("consent_id,customer_id,subject_id,given_at,method,policy_version,source,country,"
                  "necessary,functional,analytics,marketing")
CONSENT = lines(
    CONSENT_HEADER,
    'SC-1,S01,v-1,2025-12-01T08:00:00Z,accept_all,"v1;=1+1",banner,SE,true,true,true,true',
    "SC-2,S02,v-2,2025-12-02T08:00:00Z,reject_all,=1+1,banner,SE,true,false,false,false",
    'SC-3,S01,v-3,2025-12-03T08:00:00Z,accept_all,"x,=2+2",banner,SE,true,true,true,true')
# Semicolon-separated, every row rejected (unknown customer, bad method), the cells as hostile as they come.
CONSENT_REJECTED = lines(
    CONSENT_HEADER.replace(",", ";"),
    'SC-9;=1+1;v-9;2025-12-01T08:00:00Z;accept_all;"v1;=1+1";banner;SE;true;true;true;true',
    'SC-8;S01;"Acme;=1+1";2025-12-01T08:00:00Z;=SUM(1);"y|@SUM(1)";banner;SE;true;true;true;true')
REQUESTS = lines(
    "request_id,customer_id,request_type,received_at,channel,requester_email,status",
    "R-1,S01,access,2025-10-01T09:00:00Z,email,anna@example.com,logged",
    "R-2,S02,erasure,2025-10-02T09:00:00Z,email,bo@example.com,logged")
RETENTION = lines(
    "record_id,customer_id,data_category,created_at,last_used_at,retention_ends_on,disposed_at,disposal_action",
    "RR-1,S01,name,2025-01-01T09:00:00Z,2025-02-01T09:00:00Z,,,")


def _import(store: Store, path: Path, kind: str) -> ImportReport:
    options = inspect_file(path).default_options()
    return run_import(store, path, kind, options, actor="tester@example.com", now=NOW)


@pytest.fixture
def hostile_exports(store: Store, tmp_path: Path) -> dict[str, bytes]:
    """Each export path's file over a store holding the hostile texts."""
    for kind, text in (("customers", CUSTOMERS), ("consent", CONSENT), ("requests", REQUESTS),
                       ("retention", RETENTION)):
        report = _import(store, write(tmp_path, f"{kind}.csv", text), kind)
        assert report.imported >= 1 and not report.rejected, (kind, report.problems)
    rejected = _import(store, write(tmp_path, "rejected.csv", CONSENT_REJECTED), "consent")
    assert rejected.rejected == 2
    access.log_event(store, actor="tester@example.com", event="export", target="Acme;=1+1",
                     detail={"file": "v1;=1+1.csv", "note": "=1+1"})
    explore = {"start": date(2025, 12, 1), "end": date(2025, 12, 31), "customer": "", "countries": [],
               "purposes": [], "methods": [], "policy_versions": [], "sources": [], "row_limit": None}
    period = {"as_of": AS_OF, "start": date(2025, 1, 1), "end": AS_OF, "customer": ""}
    files = {
        # pages/explore.py: DuckDB writes the whole filtered set
        "explore": exports.export_query(store, "explore_records", "csv", **explore),
        # pages/sql.py: a result frame
        "sql_explorer": explorer.to_csv(store.query("explore_records", **explore)),
        # pages/retention.py, pages/slas.py, pages/access.py: frames through exports.csv_bytes
        "retention_worklist": exports.csv_bytes(store.query("retention_worklist", as_of=AS_OF, customer="",
                                                            limit=None)),
        "sla_breaches": exports.csv_bytes(store.query("sla_breaches", **period)),
        "access_log": exports.csv_bytes(store.query("access_log_recent", event="", start=date(2000, 1, 1),
                                                    end=date(2100, 1, 1))),
        # pages/import.py and the command line: a run's rejected rows (in the file's own separator)
        "import_rejects": rejects_csv_bytes(store, rejected.run_id),
    }
    # The import page's preview of the problems, written before anything is imported
    preview = tmp_path / "problems.csv"
    analyse(store, tmp_path / "rejected.csv", "consent",
            inspect_file(tmp_path / "rejected.csv").default_options(), rejects_csv=preview)
    files["import_preview_problems"] = preview.read_bytes()
    return files


def open_in_calc(files: dict[str, bytes], folder: Path) -> dict[tuple[str, str], Path]:
    """Each file converted to .xlsx by LibreOffice Calc, once per separator: one soffice run per separator,
    over every file, with a profile of its own (other soffice processes may run)."""
    if not Path(SOFFICE).exists():
        pytest.fail("LibreOffice is missing: ./dev test installs it (apt-get install libreoffice-calc-nogui).")
    converted: dict[tuple[str, str], Path] = {}
    for separator, filter_options in FILTERS.items():
        source = folder / separator
        out = folder / f"{separator}-xlsx"
        source.mkdir()
        for name, data in files.items():
            (source / f"{name}.csv").write_bytes(data)
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
                        f"--infilter={filter_options}", "--convert-to", "xlsx", "--outdir", str(out),
                        *sorted(str(p) for p in source.glob("*.csv"))],
                       check=True, capture_output=True, timeout=180)
        for name in files:
            converted[(name, separator)] = out / f"{name}.xlsx"
    return converted


def cells(xlsx: Path) -> tuple[list[str], list[str]]:
    """The formula cells (their formula) and every text cell of the workbook's sheets."""
    with zipfile.ZipFile(xlsx) as book:
        sheets = "".join(book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/sheet"))
        shared = book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in book.namelist() else ""
    formulas = re.findall(r"<f[^>]*>(.*?)</f>", sheets) + re.findall(r'<c [^>]*t="e"', sheets)
    texts = re.findall(r"<t[^>]*>(.*?)</t>", shared, flags=re.S)
    return formulas, texts


def test_the_check_sees_a_formula_when_there_is_one(tmp_path):
    """The harness itself: the file the exports used to write (`Acme;=1+1` unquoted) evaluates in Calc."""
    converted = open_in_calc({"unsafe": b"customer,policy\nS01,Acme;=1+1\n"}, tmp_path)
    assert cells(converted[("unsafe", "semicolon")])[0] == ["1+1"]
    assert cells(converted[("unsafe", "comma")])[0] == []


def test_no_export_cell_evaluates_in_a_spreadsheet_with_either_separator(hostile_exports, tmp_path):
    for name, data in hostile_exports.items():
        text = data.decode("utf-8-sig")
        # the hostile texts are in the exports that carry text from the store (not in the worklist: ids only)
        if name != "retention_worklist":
            assert "=1+1" in text, (name, text)
    converted = open_in_calc(hostile_exports, tmp_path)
    problems = []
    for (name, separator), xlsx in converted.items():
        formulas, texts = cells(xlsx)
        if formulas:
            problems.append(f"{name} read with {separator}: formulas {formulas}")
        if name != "retention_worklist" and not any("=1+1" in t for t in texts):
            problems.append(f"{name} read with {separator}: the hostile text is not there as text")
    assert problems == []
