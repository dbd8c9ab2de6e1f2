"""The Import page's reports: the contract's columns, the check before anything is written (what would be
imported, rejected or skipped, and every problem), an import's result, and the recent runs with their
rejected rows to download (each download in the access log)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from privacyops.importing import contract
from privacyops.importing.rejects import rejects_csv_bytes
from privacyops.importing.report import ImportReport
from privacyops.store import StoreError
from ui import data
from ui.auth import User
from ui.format import empty_state, fmt_int, show_store_error


def contract_help(kind: str) -> None:
    """The columns of a file of this kind, and its rules."""
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
                   "Lines are counted as a spreadsheet counts rows: the header is line 1. Full contract: "
                   "docs/import.md.")


def progress_bar(label: str) -> Any:
    bar = st.progress(0.0, text=label)

    def update(step: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=step)

    return bar, update


def recent_runs(user: User, allowed_kinds: list[str]) -> None:
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
        data=data.logged_export(user, "import rejects", lambda: rejects_csv_bytes(data.store(), run_id),
                                run_id=run_id),
        file_name=f"import-run-{run_id}-rejects.csv", mime="text/csv", on_click="ignore",
        help="One row per rejected line: line number, the problems, then the row as it was in the file. Cells "
             "that a spreadsheet would run as a formula start with an apostrophe.")


def show_result(user: User, result: Any) -> None:
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
                                        lambda: rejects_csv_bytes(data.store(), run_id), run_id=run_id),
                file_name=f"import-run-{run_id}-rejects.csv", mime="text/csv", on_click="ignore",
                help="One row per rejected line: line number, the problems, then the row as it was in the file.")


def check_report(report: ImportReport, upload: dict[str, Any], user: User) -> None:
    """The check before importing: the counts, notes, the first rows as stored, and every problem found."""
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
                               file_name=f"{Path(upload['name']).stem}-problems.csv", mime="text/csv",
                               on_click="ignore",
                               help="Fix them and import the file again: the rows already imported are skipped.")
