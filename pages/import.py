"""Import: bring consent logs, request lists, the retention inventory and customers in from files.

Upload a file (CSV, JSON lines or Parquet), say what is in it, check the reading options the page
detected (delimiter, encoding, decimal comma) and how its columns map to the contract, then look at the
preview: the first rows as they would be stored and every problem found, before anything is written.
The import itself is one transaction (privacyops.importing.pipeline): the good rows land, every bad row is kept
with its line number, column and reason, and rows read = imported + rejected + already present. The
dashboard keeps serving everyone else while a file imports. Files the command line hands over while the
dashboard runs (the store's inbox, privacyops.importing.inbox) are imported in the background and listed in
the recent imports like any other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from privacyops.cases import access
from privacyops.importing import contract, detect, uploads
from privacyops.importing.mappings import saved_mappings
from privacyops.importing.options import ImportInputError
from privacyops.importing.pipeline import analyse, run_import
from privacyops.importing.read import file_headers
from privacyops.importing.report import ImportReport
from privacyops.store import StoreError
from ui import data, import_file, import_report
from ui.auth import require_page
from ui.format import demo_banner, empty_state, is_demo_store

user = require_page("pages/import.py")
st.title("📤 Import")
demo_banner()

state = st.session_state

# --- what kind of file ---------------------------------------------------------------------------------

allowed_kinds = access.importable_kinds(user.role)
kind = st.selectbox("What is in the file", options=allowed_kinds, key="imp_kind",
                    format_func=lambda k: contract.KINDS[k],
                    help="Import customers first: consent records, requests and retention records each belong to "
                         "a customer (the controller) already in the store. Customers are imported by admins; "
                         "request files (they hold contact details) by support and admins.")
import_report.contract_help(kind)

if is_demo_store():
    st.warning("This store holds demo data. What you import here is mixed with invented data and shown with the "
               "demo label: import real data into a store of its own (PRIVACYOPS_DB).", icon="🧪")

customers = data.query("customer_list")
if kind != "customers" and customers.empty:
    empty_state("There are no customers yet. Every consent record, request and retention record belongs to "
                "a customer, so import the customers file first (choose 'Customers and their DPA terms').")

uploaded = st.file_uploader("File", key="imp_file", type=["csv", "txt", "tsv", "jsonl", "ndjson", "json", "parquet"],
                            help="CSV (comma, semicolon, tab or pipe; UTF-8 or Windows-1252), JSON lines or Parquet. "
                                 "The file is read from a temporary copy and deleted after the import.")
if uploaded is None:
    import_file.forget_upload()
    import_report.recent_runs(user, allowed_kinds)
    st.stop()

# --- the uploaded file, on disk, and how to read it ----------------------------------------------------

upload = state.get("imp_upload")
if upload is not None and upload["file_id"] == uploaded.file_id and upload.get("imported"):
    # Imported: the copy on disk is gone (it holds personal data); the result stays until another file comes.
    import_report.show_result(user, state["imp_result"][1])
    st.caption("The uploaded copy of the file has been deleted. To import it again, upload it again.")
    import_report.recent_runs(user, allowed_kinds)
    st.stop()
if upload is None or upload["file_id"] != uploaded.file_id or not Path(upload["path"]).exists():
    upload = import_file.keep_upload(uploaded)

path = Path(upload["path"])
saved = saved_mappings(data.store(), kind)
reading = import_file.reading_options(upload["detected"], saved)
try:
    headers = file_headers(path, reading.format, reading.encoding, reading.delimiter)
except detect.FileProblem as problem:
    st.error("**This file cannot be imported.**" if isinstance(problem, detect.NotText)
             else "**This file cannot be read with these options.**", icon="🚫")
    st.text(str(problem))
    import_report.recent_runs(user, allowed_kinds)
    st.stop()
options = import_file.column_mapping(kind, headers, saved, reading, user)

# --- the check before anything is written -------------------------------------------------------------

check_key = (upload["file_id"], kind, options)
if state.get("imp_check_key") != check_key:
    bar, update = import_report.progress_bar("Checking every row ...")
    preview_csv = Path(upload["folder"]) / "problems.csv"
    try:
        report = analyse(data.store(), path, kind, options, name=upload["name"], progress=update,
                                  rejects_csv=preview_csv)
    except (ImportInputError, StoreError) as error:
        bar.empty()
        st.error("**The file could not be checked.**", icon="🚫")
        st.text(str(error))   # it may quote the file's own column names: never as Markdown
        st.stop()
    bar.empty()
    state["imp_check_key"] = check_key
    state["imp_check"] = report
report: ImportReport = state["imp_check"]
done = state.get("imp_result")
if done is not None and done[0] == check_key:
    # not imported (an error): the result replaces the check (run it again by changing an option or the file)
    import_report.show_result(user, done[1])
    import_report.recent_runs(user, allowed_kinds)
    st.stop()
import_report.check_report(report, upload, user)

# --- the import -----------------------------------------------------------------------------------------

can_import = report.imported > 0 and not report.file_problem
label = (f"Import {report.imported:,} row{'s' if report.imported != 1 else ''}" if can_import
         else "Nothing to import")
if st.button(label, type="primary", key="imp_go", disabled=not can_import,
             help="One transaction: either every good row lands with the run's record, or nothing does."):
    bar, update = import_report.progress_bar("Importing ...")
    try:
        outcome: Any = run_import(data.store(), path, kind, options, actor=user.email, role=user.role,
                                           name=upload["name"], progress=update)
    except (ImportInputError, StoreError) as error:
        outcome = error   # the copy stays, so the import can be tried again
    else:
        data.after_write()
        uploads.remove(upload["folder"])   # it holds personal data: gone once imported
        upload["imported"] = True
    bar.empty()
    state["imp_result"] = (check_key, outcome)
    st.rerun()

import_report.recent_runs(user, allowed_kinds)
