"""Import: bring consent logs, request lists, the retention inventory and customers in from files.

Upload a file (CSV, JSON lines or Parquet), say what is in it, check the reading options the page
detected (delimiter, encoding, decimal comma) and how its columns map to the contract, then look at the
preview: the first rows as they would be stored and every problem found, before anything is written.
The import itself is one transaction (privacyops.importing.pipeline): the good rows land, every bad row is kept
with its line number, column and reason, and rows read = imported + rejected + already present. The
dashboard keeps serving everyone else while a file imports; the command line cannot open the store
while the dashboard runs, which is why this page exists.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from privacyops.cases import access
from privacyops.importing import contract, detect, uploads
from privacyops.importing import pipeline as importer
from privacyops.store import StoreError
from ui import data, upkeep
from ui.auth import require_page
from ui.format import demo_banner, empty_state, fmt_int, show_store_error

user = require_page("pages/import.py")
st.title("📤 Import")
demo_banner()

state = st.session_state
NOT_IN_FILE = "(not in the file)"
NO_MAPPING = "(match columns by name)"


# --- what kind of file ---------------------------------------------------------------------------------

allowed_kinds = access.importable_kinds(user.role)
kind = st.selectbox("What is in the file", options=allowed_kinds, key="imp_kind",
                    format_func=lambda k: contract.KINDS[k],
                    help="Import customers first: consent records, requests and retention records each belong to "
                         "a customer (the controller) already in the store. Customers are imported by admins; "
                         "request files (they hold contact details) by support and admins.")

with st.expander(f"The columns of a {contract.KINDS[kind].lower()} file"):
    st.dataframe(
        pd.DataFrame([{"column": f.name, "required": "yes" if f.required else "",
                       "type": contract.TYPES[f.type],
                       "allowed values": ", ".join(f.choices), "meaning": f.description}
                      for f in contract.fields(kind)]),
        hide_index=True, width="stretch",
        column_config={"column": st.column_config.TextColumn("Column", width="medium"),
                       "required": st.column_config.TextColumn("Required", width="small"),
                       "type": st.column_config.TextColumn("Type"),
                       "allowed values": st.column_config.TextColumn("Allowed values"),
                       "meaning": st.column_config.TextColumn("Meaning", width="large")})
    for rule in contract.RULES.get(kind, ()):
        st.caption(f"Rule: {rule}")
    st.caption("Timestamps with an offset (Z, +01:00) are exact; without one they are Stockholm local time. "
               "Lines are counted as a spreadsheet counts rows: the header is line 1. Full contract: docs/import.md.")

meta = data.query("store_meta")
if dict(zip(meta["key"], meta["value"], strict=True)).get("contents") == "demo":
    st.warning("This store holds demo data. What you import here is mixed with invented data and shown with the "
               "demo label: import real data into a store of its own (PRIVACYOPS_DB).", icon="🧪")

customers = data.query("customer_list")
if kind != "customers" and customers.empty:
    empty_state("There are no customers yet. Every consent record, request and retention record belongs to "
                       "a customer, so import the customers file first (choose 'Customers and their DPA terms').")

def _forget_upload() -> None:
    previous = state.pop("imp_upload", None)
    if previous:
        uploads.remove(previous["folder"])
    for key in [k for k in state if k.startswith(("imp_map_", "imp_opt_", "imp_check", "imp_result"))]:
        del state[key]


uploaded = st.file_uploader("File", key="imp_file", type=["csv", "txt", "tsv", "jsonl", "ndjson", "json", "parquet"],
                            help="CSV (comma, semicolon, tab or pipe; UTF-8 or Windows-1252), JSON lines or Parquet. "
                                 "The file is read from a temporary copy and deleted after the import.")


def _recent_runs() -> None:
    st.subheader("Recent imports")
    runs = data.query("import_runs", kind="")
    runs = runs[runs["kind"].isin(allowed_kinds)]   # a role sees the runs (and rejects) of what it may import
    if runs.empty:
        empty_state("No file has been imported yet.")
        return
    picked = st.dataframe(
        runs, hide_index=True, width="stretch", key="imp_runs", on_select="rerun", selection_mode="single-row",
        column_config={
            "run_id": st.column_config.NumberColumn("Run", format="%d"),
            "kind": st.column_config.TextColumn("Kind"),
            "file_name": st.column_config.TextColumn("File"),
            "started_at": st.column_config.DatetimeColumn("Started (UTC)", format="YYYY-MM-DD HH:mm"),
            "actor": st.column_config.TextColumn("By"),
            "rows_read": st.column_config.NumberColumn("Read", format="%d", help="Rows in the file (blank and "
                                                       "empty rows are not rows)."),
            "rows_imported": st.column_config.NumberColumn("Imported", format="%d"),
            "rows_rejected": st.column_config.NumberColumn("Rejected", format="%d",
                                                           help="Kept with line number, column and reason."),
            "rows_duplicate": st.column_config.NumberColumn("Already present", format="%d",
                                                            help="Same id already in the store: not imported again."),
            "seconds": st.column_config.NumberColumn("Seconds", format="%.1f"),
        })
    rows = picked.selection.rows if picked and picked.selection else []
    if not rows:
        st.caption("Select a run to see its rejected rows.")
        return
    run = runs.iloc[rows[0]]
    run_id = int(run["run_id"])
    summary = data.query("import_reject_summary", run_id=run_id)
    if summary.empty:
        st.success(f"Run {run_id}: no row was rejected.", icon="✅")
        return
    st.dataframe(summary, hide_index=True, width="stretch",
                 column_config={"column_name": "Column", "reason": "Reason",
                                "rows": st.column_config.NumberColumn("Rows", format="%d")})
    st.download_button(
        f"Download the rejected rows of run {run_id} (CSV)", key="imp_run_rejects",
        data=data.logged_export(user, "import rejects", lambda: importer.rejects_csv_bytes(data.store(), run_id),
                                  run_id=run_id),
        file_name=f"import-run-{run_id}-rejects.csv", mime="text/csv", on_click="ignore",
        help="One row per rejected line: line number, the problems, then the row as it was in the file. Cells "
             "that a spreadsheet would run as a formula start with an apostrophe.")


def _show_result(result: Any) -> None:
    """What an import did: its report, or why nothing was imported."""
    if isinstance(result, StoreError):
        show_store_error(result)
    elif isinstance(result, Exception):
        st.error("**Nothing was imported.**", icon="🚫")
        st.text(str(result))
    else:
        st.success(f"Import run {result.run_id}: {result.sentence()}.", icon="✅")
        for warning in result.warnings:
            st.text(f"Note: {warning}")
        if result.rejected:
            run_id = result.run_id
            st.download_button(
                "Download the rejected rows (CSV)", key="imp_result_rejects",
                data=data.logged_export(user, "import rejects",
                                          lambda: importer.rejects_csv_bytes(data.store(), run_id), run_id=run_id),
                file_name=f"import-run-{run_id}-rejects.csv", mime="text/csv", on_click="ignore",
                help="One row per rejected line: line number, the problems, then the row as it was in the file.")


if uploaded is None:
    _forget_upload()
    _recent_runs()
    st.stop()


# --- the uploaded file, on disk ------------------------------------------------------------------------

upload = state.get("imp_upload")
if upload is not None and upload["file_id"] == uploaded.file_id and upload.get("imported"):
    # Imported: the copy on disk is gone (it holds personal data); the result stays until another file comes.
    _show_result(state["imp_result"][1])
    st.caption("The uploaded copy of the file has been deleted. To import it again, upload it again.")
    _recent_runs()
    st.stop()
if upload is None or upload["file_id"] != uploaded.file_id or not Path(upload["path"]).exists():
    # a new file, or the copy of this one was swept meanwhile (a session back after a long disconnection)
    _forget_upload()
    folder = uploads.new_folder(upkeep.session_id())
    path = folder / ("upload" + Path(uploaded.name).suffix.lower())
    uploaded.seek(0)
    with path.open("wb") as out:
        shutil.copyfileobj(uploaded, out, 1024 * 1024)
    info = importer.inspect_file(path, uploaded.name)
    upload = {"file_id": uploaded.file_id, "folder": str(folder), "path": str(path), "name": uploaded.name,
              "detected": info.detected}
    state["imp_upload"] = upload
    detected = info.detected
    state["imp_opt_format"] = detected.format
    state["imp_opt_encoding"] = detected.encoding
    state["imp_opt_delimiter"] = detected.delimiter
    state["imp_opt_decimal"] = detected.decimal_comma

path = Path(upload["path"])
detected: detect.Detected = upload["detected"]
saved = importer.saved_mappings(data.store(), kind)


def _apply_saved() -> None:
    """Choosing a saved mapping sets the reading options and the columns it remembers."""
    name = state.get("imp_saved")
    if name in saved:
        reading = saved[name].reading
        state["imp_opt_format"] = reading["format"]
        state["imp_opt_encoding"] = reading["encoding"]
        state["imp_opt_delimiter"] = reading["delimiter"]
        state["imp_opt_decimal"] = bool(reading["decimal_comma"])
        for key in [k for k in state if k.startswith("imp_map_")]:
            del state[key]


if state.get("imp_saved") not in (NO_MAPPING, *saved):
    state["imp_saved"] = NO_MAPPING   # another kind's mapping, or one deleted meanwhile

st.subheader("How to read it")
st.caption("Detected from the file: " + " ".join(detected.notes))
with st.container(border=True):
    cols = st.columns([2, 2, 2, 2, 3])
    cols[0].selectbox("Format", options=list(detect.FORMATS), key="imp_opt_format",
                      format_func=lambda f: detect.FORMATS[f], help=f"Detected: {detect.FORMATS[detected.format]}.")
    is_csv = state["imp_opt_format"] == "csv"
    cols[1].selectbox("Encoding", options=list(detect.ENCODINGS), key="imp_opt_encoding",
                      format_func=lambda e: detect.ENCODINGS[e], disabled=state["imp_opt_format"] == "parquet",
                      help=f"Detected: {detect.ENCODINGS[detected.encoding]}. Swedish Excel saves 'CSV' as "
                           "Windows-1252; 'CSV UTF-8' as UTF-8 with a BOM.")
    cols[2].selectbox("Delimiter", options=list(detect.DELIMITERS), key="imp_opt_delimiter",
                      format_func=lambda d: detect.DELIMITERS[d], disabled=not is_csv,
                      help=f"Detected: {detect.DELIMITERS[detected.delimiter]}.")
    cols[3].checkbox("Decimal comma", key="imp_opt_decimal", disabled=not is_csv,
                     help="Numbers written 5,0 rather than 5.0 (Swedish Excel, with semicolon-separated files).")
    cols[4].selectbox("Saved mapping", options=[NO_MAPPING, *saved], key="imp_saved", on_change=_apply_saved,
                      help="How files from one source are read and mapped, saved below. Choosing one sets the "
                           "options and the columns.")

reading = importer.ImportOptions(state["imp_opt_format"], state["imp_opt_encoding"], state["imp_opt_delimiter"],
                                 bool(state["imp_opt_decimal"]))
try:
    headers = importer.file_headers(path, reading.format, reading.encoding, reading.delimiter)
except detect.FileProblem as problem:
    st.error("**This file cannot be imported.**" if isinstance(problem, detect.NotText)
             else "**This file cannot be read with these options.**", icon="🚫")
    st.text(str(problem))
    _recent_runs()
    st.stop()


# --- the columns ---------------------------------------------------------------------------------------

chosen_saved = saved.get(state.get("imp_saved", ""))
suggested = importer.auto_mapping(kind, headers)
if chosen_saved:
    suggested.update({k: v for k, v in chosen_saved.mapping.items() if v in headers})
signature = f"{kind}|{'|'.join(headers)}"
if state.get("imp_map_signature") != signature:
    for key in [k for k in state if k.startswith("imp_map_") and k != "imp_map_signature"]:
        del state[key]
    state["imp_map_signature"] = signature
mapping: dict[str, str] = {}
missing_required: list[str] = []
with st.expander("Columns: how the file's columns map to the contract",
                 expanded=any(f.required and f.name not in suggested for f in contract.fields(kind))):
    st.caption("Each contract column takes one of the file's columns. Columns the file spells like the contract "
               "are matched already; a column that is not mapped is not imported.")
    grid = st.columns(3)
    for index, f in enumerate(contract.fields(kind)):
        key = f"imp_map_{f.name}"
        if key not in state:
            state[key] = suggested.get(f.name, NOT_IN_FILE)
        picked = grid[index % 3].selectbox(f.name + (" *" if f.required else ""), options=[NOT_IN_FILE, *headers],
                                           key=key, help=f.description)
        if picked != NOT_IN_FILE:
            mapping[f.name] = picked
        elif f.required:
            missing_required.append(f.name)
    save_cols = st.columns([3, 1])
    source = save_cols[0].text_input("Save this mapping for the source", key="imp_source", max_chars=80,
                                     placeholder="e.g. Cookie banner export",
                                     help="Saved per source and kind; choose it above the next time.")
    if save_cols[1].button("Save mapping", key="imp_save_mapping", disabled=not source.strip()):
        try:
            importer.save_mapping(data.store(), kind, source, reading.with_mapping(mapping, source),
                                  actor=user.email)
        except (importer.ImportInputError, StoreError) as error:
            st.error("**The mapping was not saved.**", icon="🚫")
            st.text(str(error))
        else:
            data.after_write()
            st.success("Mapping saved.", icon="💾")

options = reading.with_mapping(mapping, state.get("imp_saved") if chosen_saved else "")


# --- the check before anything is written -------------------------------------------------------------

def _progress_bar(label: str) -> Any:
    bar = st.progress(0.0, text=label)

    def update(step: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=step)

    return bar, update


check_key = (upload["file_id"], kind, options)
if state.get("imp_check_key") != check_key:
    bar, update = _progress_bar("Checking every row ...")
    preview_csv = Path(upload["folder"]) / "problems.csv"
    try:
        report = importer.analyse(data.store(), path, kind, options, name=upload["name"], progress=update,
                                  rejects_csv=preview_csv)
    except (importer.ImportInputError, StoreError) as error:
        bar.empty()
        st.error("**The file could not be checked.**", icon="🚫")
        st.text(str(error))   # it may quote the file's own column names: never as Markdown
        st.stop()
    bar.empty()
    state["imp_check_key"] = check_key
    state["imp_check"] = report
report: importer.ImportReport = state["imp_check"]
done = state.get("imp_result")
if done is not None and done[0] == check_key:
    # not imported (an error): the result replaces the check (run it again by changing an option or the file)
    _show_result(done[1])
    _recent_runs()
    st.stop()

st.subheader("Before importing")
metrics = st.columns(4)
metrics[0].metric("Rows read", fmt_int(report.read),
                  help="Every row of the file (blank lines and rows with no value at all are not rows).")
metrics[1].metric("Would import", fmt_int(report.imported), help="New rows that pass every check.")
metrics[2].metric("Rejected", fmt_int(report.rejected),
                  help="Rows with a problem: kept with line number, column and reason, never silently dropped.")
metrics[3].metric("Already present", fmt_int(report.duplicates),
                  help="Rows whose id is already in the store (or, without an id, the same content): importing "
                       "the same file twice adds nothing.")
st.caption(f"{report.sentence()}.")
if report.file_problem:
    st.error("**This file cannot be imported as it is.**", icon="🚫")
    st.text(report.file_problem)
for warning in report.warnings:
    st.text(f"Note: {warning}")

if report.preview:
    st.markdown(f"**The first {len(report.preview)} rows as they would be stored**")
    st.dataframe(pd.DataFrame(report.preview), hide_index=True, width="stretch",
                 column_config={"line": st.column_config.NumberColumn("Line", format="%d"),
                                "outcome": st.column_config.TextColumn("Outcome")})
if report.problems_total:
    st.markdown(f"**Problems found: {report.problems_total:,}**")
    st.dataframe(pd.DataFrame(report.summary, columns=["column", "reason", "rows"]), hide_index=True,
                 width="stretch", column_config={"column": "Column", "reason": "Reason",
                                                 "rows": st.column_config.NumberColumn("Rows", format="%d")})
    shown = pd.DataFrame([{"line": p.line, "column": p.column, "reason": p.reason, "value": p.value}
                          for p in report.problems])
    st.dataframe(shown, hide_index=True, width="stretch", key="imp_problems",
                 column_config={"line": st.column_config.NumberColumn("Line", format="%d"),
                                "column": "Column", "reason": "Reason",
                                "value": st.column_config.TextColumn("Value in the file")})
    if report.problems_total > len(report.problems):
        st.caption(f"The first {len(report.problems):,} problems; the file below has them all.")
    if report.rejects_path and Path(report.rejects_path).exists():
        problems_file = Path(report.rejects_path)
        st.download_button("Download the rows with problems (CSV)", key="imp_problems_csv",
                           data=data.logged_export(user, "import problems preview", problems_file.read_bytes,
                                                     file=upload["name"]),
                           file_name=f"{Path(upload['name']).stem}-problems.csv", mime="text/csv", on_click="ignore",
                           help="Fix them and import the file again: the rows already imported are skipped.")


# --- the import -----------------------------------------------------------------------------------------

can_import = report.imported > 0 and not report.file_problem
label = (f"Import {report.imported:,} row{'s' if report.imported != 1 else ''}" if can_import
         else "Nothing to import")
if st.button(label, type="primary", key="imp_go", disabled=not can_import,
             help="One transaction: either every good row lands with the run's record, or nothing does."):
    bar, update = _progress_bar("Importing ...")
    try:
        outcome: Any = importer.run_import(data.store(), path, kind, options, actor=user.email, role=user.role,
                                           name=upload["name"], progress=update)
    except (importer.ImportInputError, StoreError) as error:
        outcome = error   # the copy stays, so the import can be tried again
    else:
        data.after_write()
        uploads.remove(upload["folder"])   # it holds personal data: gone once imported
        upload["imported"] = True
    bar.empty()
    state["imp_result"] = (check_key, outcome)
    st.rerun()

_recent_runs()
