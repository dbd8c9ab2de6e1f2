"""The import_ queries on a small hand-made store: exact values."""

from __future__ import annotations

from datetime import UTC, datetime

from privacyops.importing.mappings import save_mapping
from privacyops.importing.options import ImportOptions
from privacyops.importing.pipeline import run_import
from privacyops.importing.read import inspect_file
from tests.data.test_import_files import HEADER, lines, row, write

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_import_runs_rejects_and_summary(customer_store, tmp_path):
    good = write(tmp_path, "good.csv", lines(HEADER, row("CR1"), row("CR2")))
    bad = write(tmp_path, "bad.csv", lines(HEADER, row("CR1"), row("CR3", customer="C99"),
                                           row("CR4", customer="C98", given="2025-02-30T10:00:00Z"),
                                           row("CR5", given="soon")))
    for path in (good, bad):
        run_import(customer_store, path, "consent", inspect_file(path).default_options(),
                   actor="tester@example.com", now=NOW)

    runs = customer_store.query("import_runs", kind="")
    assert runs[["run_id", "kind", "file_name", "actor", "rows_read", "rows_imported", "rows_rejected",
                 "rows_duplicate"]].values.tolist() == [
        [2, "consent", "bad.csv", "tester@example.com", 4, 0, 3, 1],
        [1, "consent", "good.csv", "tester@example.com", 2, 2, 0, 0],
    ]
    assert (runs["seconds"] >= 0).all()
    assert customer_store.query("import_runs", kind="requests").empty
    assert customer_store.query("import_runs", kind="consent")["run_id"].tolist() == [2, 1]

    rejects = customer_store.query("import_rejects", run_id=2)
    assert rejects.values.tolist() == [
        [3, "customer_id", "is not a customer in the store (import or add the customer first)", "C99"],
        [4, "customer_id", "is not a customer in the store (import or add the customer first)", "C98"],
        [4, "given_at", "is not a real date (no such day)", "2025-02-30T10:00:00Z"],
        [5, "given_at", "is not an ISO 8601 date and time (e.g. 2025-03-05T10:15:00Z or 2025-03-05 11:15)", "soon"],
    ]
    assert customer_store.query("import_rejects", run_id=1).empty

    summary = customer_store.query("import_reject_summary", run_id=2)
    assert summary.values.tolist() == [
        ["customer_id", "is not a customer in the store (import or add the customer first)", 2],
        ["given_at", "is not a real date (no such day)", 1],
        ["given_at", "is not an ISO 8601 date and time (e.g. 2025-03-05T10:15:00Z or 2025-03-05 11:15)", 1],
    ]


def test_import_mappings(customer_store):
    assert customer_store.query("import_mappings", kind="consent").empty
    options = ImportOptions(delimiter=";", decimal_comma=True)
    save_mapping(customer_store, "consent", "Banner B", options.with_mapping({"subject_id": "Besökare"}),
                 actor="a@example.com")
    save_mapping(customer_store, "consent", "Banner A", options, actor="b@example.com")
    save_mapping(customer_store, "requests", "Sheet", options, actor="b@example.com")
    frame = customer_store.query("import_mappings", kind="consent")
    assert frame[["source", "mapping", "options", "updated_by"]].values.tolist() == [
        ["Banner A", "{}", '{"decimal_comma": true, "delimiter": ";", "encoding": "utf-8", "format": "csv"}',
         "b@example.com"],
        ["Banner B", '{"subject_id": "Besökare"}',
         '{"decimal_comma": true, "delimiter": ";", "encoding": "utf-8", "format": "csv"}', "a@example.com"],
    ]
