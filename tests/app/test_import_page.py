"""Import page (AppTest): upload, options with detected defaults, the check before anything is written
(figures equal to what the store then holds, counted here with SQL on the base tables), the import with
its report, the rejects download, saved mappings, and the empty and demo stores."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT, open_page, texts
from ui import nav

PAGE = "pages/import.py"
SAMPLES = ROOT / "data" / "samples"
HEADER = ("consent_id,customer_id,subject_id,given_at,method,policy_version,source,country,"
          "necessary,functional,analytics,marketing")

# Until ui/nav.py registers the page, run it through a wrapper that registers it for each run only.
REGISTERED = any(p.path == PAGE for p in nav.PAGES)
WRAPPER = f"""
import runpy
from ui import nav
before = nav.PAGES
spec = nav.PageSpec({PAGE!r}, "Import", "📤", "Data", frozenset({{"support", "analyst", "admin"}}), "import")
nav.PAGES = (*before, spec)
try:
    runpy.run_path({PAGE!r}, run_name="__main__")
finally:
    nav.PAGES = before
"""


@pytest.fixture(autouse=True)
def uploads_in_tmp_path(tmp_path, monkeypatch):
    """The page keeps an upload in a temporary folder until the next upload: keep them in the test's folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def open_import_page() -> AppTest:
    if REGISTERED:
        return open_page(PAGE)
    at = AppTest.from_string(WRAPPER, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, content: bytes, kind: str | None = None) -> AppTest:
    if kind:
        at.selectbox(key="imp_kind").set_value(kind)
        at.run()
    at.file_uploader(key="imp_file").set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    at.run()
    assert not at.exception, at.exception
    return at


def problems_table(at: AppTest):
    """The table of every problem found (line, column, reason, value)."""
    frames = [d.value for d in at.dataframe if list(d.value.columns) == ["line", "column", "reason", "value"]]
    assert len(frames) == 1
    return frames[0]


def count(store, sql: str) -> int:
    with store.cursor() as cur:
        return cur.execute(sql).fetchone()[0]


def test_empty_store_shows_helpful_empty_states(empty_app_store):
    at = open_import_page()
    assert at.title[0].value == "📤 Import"
    at.selectbox(key="imp_kind").set_value("consent")
    at.run()
    page = texts(at)
    assert "There are no customers yet." in page
    assert "No file has been imported yet." in page
    assert "This store holds demo data." not in page
    assert not at.metric


def test_customers_sample_checked_then_imported(empty_app_store):
    at = upload(open_import_page(), "customers.csv", (SAMPLES / "customers.csv").read_bytes(), "customers")
    assert at.selectbox(key="imp_opt_delimiter").value == ";"          # detected
    assert at.checkbox(key="imp_opt_decimal").value is True
    assert metrics(at) == {"Rows read": "3", "Would import": "3", "Rejected": "0", "Already present": "0"}
    assert count(empty_app_store, "SELECT count(*) FROM customers") == 0   # nothing written by the check
    assert at.button(key="imp_go").label == "Import 3 rows"
    at = click(at, "imp_go")
    assert "Import run 1: 3 rows read = 3 imported + 0 rejected + 0 already present." in texts(at)
    assert count(empty_app_store, "SELECT count(*) FROM customers") == 3
    assert count(empty_app_store, "SELECT count(*) FROM customer_retention_terms") == 15
    runs = at.dataframe(key="imp_runs").value
    shown = runs[["run_id", "kind", "rows_read", "rows_imported", "rows_rejected", "rows_duplicate"]]
    assert shown.values.tolist() == [[1, "customers", 3, 3, 0, 0]]
    assert runs["actor"].tolist() == ["local.admin@localhost"]


def test_problems_are_shown_before_import_and_match_what_the_store_then_holds(customers_app_store):
    content = "\n".join([
        HEADER,
        "CR1,C01,S1,2025-03-05T10:00:00Z,accept_all,2025-09,banner,SE,true,true,true,true",
        "CR2,C99,S2,2025-03-05T10:00:00Z,accept_all,2025-09,banner,SE,true,true,true,true",
        'CR3,C01,"=HYPERLINK(""http://evil.example.com"",""x"")",2025-02-30T10:00:00Z,custom,2025-09,api,SE,'
        "true,false,false,false",
        "CR1,C01,S1,2025-03-05T10:00:00Z,accept_all,2025-09,banner,SE,true,true,true,true",
        "CR4,C02,S4,2025-03-06 10:00,reject_all,2025-09,banner,NO,true,false,false,false",
    ]).encode() + b"\n"
    at = upload(open_import_page(), "consent.csv", content, "consent")
    assert metrics(at) == {"Rows read": "5", "Would import": "2", "Rejected": "3", "Already present": "0"}
    problems = problems_table(at)
    assert problems[["line", "column", "reason"]].values.tolist() == [
        [3, "customer_id", "is not a customer in the store (import or add the customer first)"],
        [4, "given_at", "is not a real date (no such day)"],
        [5, "consent_id", "appears again in this file (first on line 2)"],
    ]
    assert problems["value"].tolist()[1] == "2025-02-30T10:00:00Z"
    assert count(customers_app_store, "SELECT count(*) FROM consent_records") == 0
    at = click(at, "imp_go")
    page = texts(at)
    assert "5 rows read = 2 imported + 3 rejected + 0 already present." in page
    # the figures the page showed, counted independently on the base tables
    assert count(customers_app_store, "SELECT count(*) FROM consent_records") == 2
    assert count(customers_app_store, "SELECT count(DISTINCT line_number) FROM import_rejects") == 3
    assert count(customers_app_store, "SELECT rows_read FROM import_runs") == 5
    downloads = [b for b in at.get("download_button") if b.proto.label == "Download the rejected rows (CSV)"]
    assert len(downloads) == 1
    # the same file again: everything good is already there
    at = upload(open_import_page(), "consent.csv", content, "consent")
    assert metrics(at) == {"Rows read": "5", "Would import": "0", "Rejected": "3", "Already present": "2"}
    assert at.button(key="imp_go").disabled


def test_a_file_that_does_not_fit_says_why_and_offers_no_import(customers_app_store):
    content = (HEADER.replace(",", ";") + "\n"
               + "CR1;C01;S1;2025-03-05T10:00:00Z;accept_all;2025-09;banner;SE;true;true;true;true\n").encode()
    at = upload(open_import_page(), "consent.csv", content, "consent")
    assert metrics(at)["Would import"] == "1"              # semicolon detected
    at.selectbox(key="imp_opt_delimiter").set_value(",")
    at.run()
    assert metrics(at) == {"Rows read": "1", "Would import": "0", "Rejected": "1", "Already present": "0"}
    assert "This file cannot be imported as it is." in texts(at)
    assert any("probably separated by semicolons" in t.value for t in at.text)
    assert at.button(key="imp_go").disabled


def test_mapping_other_headers_and_saving_the_mapping(customers_app_store):
    header = "Id;Kund;Besökare;Tid;Val;Policy;Källa;Land;Nödvändiga;Funktion;Analys;Marknad"
    content = (header + "\nB1;C01;S1;2025-03-05T10:00:00Z;accept_all;2025-09;banner;SE;ja;ja;ja;ja\n").encode()
    at = upload(open_import_page(), "banner.csv", content, "consent")
    assert metrics(at)["Rejected"] == "1"
    for contract_column, file_column in zip(HEADER.split(","), header.split(";"), strict=True):
        at.selectbox(key=f"imp_map_{contract_column}").set_value(file_column)
    at.run()
    assert metrics(at) == {"Rows read": "1", "Would import": "1", "Rejected": "0", "Already present": "0"}
    at.text_input(key="imp_source").set_value("Cookie banner")
    at.run()
    at = click(at, "imp_save_mapping")
    saved = customers_app_store.query("import_mappings", kind="consent")
    assert saved["source"].tolist() == ["Cookie banner"]
    at = click(at, "imp_go")
    assert count(customers_app_store, "SELECT count(*) FROM consent_records WHERE consent_id = 'B1'") == 1


@pytest.mark.parametrize("kind", ["consent", "requests", "retention"])
def test_the_samples_into_the_demo_store(demo_app_store, kind, tmp_path):
    """The demo has other customers: the samples' rows are rejected as unknown customers, and the page
    says so row by row; nothing is written by the check."""
    at = upload(open_import_page(), f"{kind}.csv", (SAMPLES / f"{kind}.csv").read_bytes(), kind)
    shown = metrics(at)
    rows = len(Path(SAMPLES / f"{kind}.csv").read_text("utf-8").strip().splitlines()) - 1
    if kind == "requests":
        rows -= 1                                          # one description spans two lines
    assert shown == {"Rows read": str(rows), "Would import": "0", "Rejected": str(rows), "Already present": "0"}
    assert set(problems_table(at)["column"]) == {"customer_id"}
    assert "This store holds demo data." in texts(at)
    assert count(demo_app_store, "SELECT count(*) FROM import_runs") == 0


# The uploader takes only the import formats' extensions: these are what a user's renamed or mis-saved files hold.
@pytest.mark.parametrize(("name", "what"), [
    ("book.csv", "This file is not text: it looks like an Excel workbook (.xlsx)."),
    ("picture.txt", "This file is not text: it looks like a PNG image."),
    ("random.csv", "This file is not text: it looks like a binary file."),
    ("unicode.csv", "This file is UTF-16 text"),
])
def test_a_file_that_is_not_text_says_what_it_is_and_what_to_do(customers_app_store, name, what):
    from tests.unit.test_import_detect import NOT_TEXT

    content = {"book.csv": NOT_TEXT["xlsx"][0], "picture.txt": NOT_TEXT["png"][0], "random.csv": NOT_TEXT["random"][0],
               "unicode.csv": (HEADER + "\n").encode("utf-16")}[name]
    at = upload(open_import_page(), name, content, "consent")
    shown = [t.value for t in at.text if t.value.startswith("This file is")]
    assert len(shown) == 1 and shown[0].startswith(what), texts(at)
    assert "CSV" in shown[0] and "import that file" in shown[0]
    assert "This file cannot be imported." in texts(at)
    page = texts(at)
    for engine_wording in ("new-line character", "state machine", "header line cannot be read"):
        assert engine_wording not in page
    assert not at.metric and "imp_go" not in [b.key for b in at.button]   # no check ran, nothing to import
    assert count(customers_app_store, "SELECT count(*) FROM import_runs") == 0


def upload_folders(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.glob("privacyops-upload-*"))


def test_the_uploaded_copy_is_deleted_after_the_import(customers_app_store, tmp_path):
    """The copy on disk holds personal data: it is gone once imported, while the page keeps the result."""
    content = "\n".join([HEADER, "CR1,C01,S1,2025-03-05T10:00:00Z,accept_all,2025-09,banner,SE,true,true,true,true",
                         "CR2,C99,S2,2025-03-05T10:00:00Z,accept_all,2025-09,banner,SE,true,true,true,true"]).encode()
    at = upload(open_import_page(), "consent.csv", content, "consent")
    assert len(upload_folders(tmp_path)) == 1          # the copy the check reads
    at = click(at, "imp_go")
    assert count(customers_app_store, "SELECT count(*) FROM consent_records") == 1
    assert upload_folders(tmp_path) == []
    page = texts(at)
    assert "Import run 1: 2 rows read = 1 imported + 1 rejected + 0 already present." in page
    assert "The uploaded copy of the file has been deleted." in page
    at.run()                                            # any later run: no copy comes back, the result stays
    assert upload_folders(tmp_path) == [] and not at.exception
    assert "Import run 1: 2 rows read" in texts(at)
    assert count(customers_app_store, "SELECT count(*) FROM consent_records") == 1


def test_each_run_sweeps_uploads_of_a_stopped_server(customers_app_store, tmp_path):
    """Leftovers of a server that stopped (its process is gone) are removed by the next run of the app."""
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    leftover = tmp_path / f"privacyops-upload-p{gone.pid}-sabc-k3j4h5g6"
    leftover.mkdir()
    (leftover / "upload.csv").write_text("requester_email\nanna@example.com\n")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert not leftover.exists()
