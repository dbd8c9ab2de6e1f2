"""The Import page's file: the uploaded copy on disk (it holds personal data: one folder per session, removed
after the import or when the session ends), the reading options detected and chosen, and how the file's
columns map to the contract (saved mappings per source). Widget keys: imp_opt_*, imp_saved, imp_map_*."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import streamlit as st

from privacyops.importing import contract, detect, uploads
from privacyops.importing.mappings import auto_mapping, save_mapping
from privacyops.importing.options import ImportInputError, ImportOptions
from privacyops.importing.read import inspect_file
from privacyops.store import StoreError
from ui import data, upkeep
from ui.auth import User

NOT_IN_FILE = "(not in the file)"
NO_MAPPING = "(match columns by name)"


def forget_upload() -> None:
    state = st.session_state
    previous = state.pop("imp_upload", None)
    if previous:
        uploads.remove(previous["folder"])
    for key in [k for k in state if k.startswith(("imp_map_", "imp_opt_", "imp_check", "imp_result"))]:
        del state[key]


def keep_upload(uploaded: Any) -> dict[str, Any]:
    """Copy the uploaded file to this session's folder and detect how to read it; the reading options start as
    detected. A new file, or this one again after its copy was swept (a session back after a long absence)."""
    state = st.session_state
    forget_upload()
    folder = uploads.new_folder(upkeep.session_id())
    path = folder / ("upload" + Path(uploaded.name).suffix.lower())
    uploaded.seek(0)
    with path.open("wb") as out:
        shutil.copyfileobj(uploaded, out, 1024 * 1024)
    info = inspect_file(path, uploaded.name)
    upload = {"file_id": uploaded.file_id, "folder": str(folder), "path": str(path), "name": uploaded.name,
              "detected": info.detected}
    state["imp_upload"] = upload
    detected = info.detected
    state["imp_opt_format"] = detected.format
    state["imp_opt_encoding"] = detected.encoding
    state["imp_opt_delimiter"] = detected.delimiter
    state["imp_opt_decimal"] = detected.decimal_comma
    return upload


def _apply_saved(saved: dict[str, Any]) -> None:
    """Choosing a saved mapping sets the reading options and the columns it remembers."""
    state = st.session_state
    name = state.get("imp_saved")
    if name in saved:
        reading = saved[name].reading
        state["imp_opt_format"] = reading["format"]
        state["imp_opt_encoding"] = reading["encoding"]
        state["imp_opt_delimiter"] = reading["delimiter"]
        state["imp_opt_decimal"] = bool(reading["decimal_comma"])
        for key in [k for k in state if k.startswith("imp_map_")]:
            del state[key]


def reading_options(detected: detect.Detected, saved: dict[str, Any]) -> ImportOptions:
    """How to read the file: format, encoding, delimiter, decimal comma, or a saved mapping's options."""
    state = st.session_state
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
        cols[4].selectbox("Saved mapping", options=[NO_MAPPING, *saved], key="imp_saved",
                          on_change=_apply_saved, args=(saved,),
                          help="How files from one source are read and mapped, saved below. Choosing one sets the "
                               "options and the columns.")

    return ImportOptions(state["imp_opt_format"], state["imp_opt_encoding"], state["imp_opt_delimiter"],
                                  bool(state["imp_opt_decimal"]))


def column_mapping(kind: str, headers: list[str], saved: dict[str, Any], reading: ImportOptions,
                   user: User) -> ImportOptions:
    """Which of the file's columns fills each contract column (and saving that for the source); the reading
    options with that mapping."""
    state = st.session_state
    chosen_saved = saved.get(state.get("imp_saved", ""))
    suggested = auto_mapping(kind, headers)
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
                save_mapping(data.store(), kind, source, reading.with_mapping(mapping, source),
                                      actor=user.email)
            except (ImportInputError, StoreError) as error:
                st.error("**The mapping was not saved.**", icon="🚫")
                st.text(str(error))
            else:
                data.after_write()
                st.success("Mapping saved.", icon="💾")

    return reading.with_mapping(mapping, state.get("imp_saved") if chosen_saved else "")
