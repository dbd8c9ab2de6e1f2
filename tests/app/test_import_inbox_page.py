"""A file the command line handed to the dashboard (the import inbox) is on the Import page's recent imports,
by the operating-system user through the inbox, as soon as the dashboard has imported it (issue 11, item 4)."""

from __future__ import annotations

from privacyops.importing import inbox
from privacyops.importing.inbox_watcher import InboxWatcher
from tests.app.conftest import open_page
from tests.data.test_import_files import HEADER, lines, row, write
from ui import upkeep


def test_an_inbox_import_shows_on_the_import_page(customers_app_store, tmp_path):
    at = open_page("pages/import.py")
    assert "No file has been imported yet." in [i.value for i in at.info]      # the runs are cached now

    folder = inbox.ensure_folder(inbox.inbox_folder(customers_app_store.path))
    path = write(tmp_path, "consent-nightly.csv", lines(HEADER, row("CR1"), row("CR2", customer="C99")))
    inbox.hand_over(folder, path, "consent", customers_app_store.path, as_json=False)
    watcher = InboxWatcher(customers_app_store.path, on_imported=upkeep.after_inbox_import)
    assert watcher.poll_once() == 1

    at.run()
    assert not at.exception, at.exception
    runs = at.dataframe(key="imp_runs").value
    assert runs[["file_name", "rows_read", "rows_imported", "rows_rejected"]].values.tolist() == [
        ["consent-nightly.csv", 2, 1, 1]]
    assert runs["actor"].iloc[0].endswith("(command line, inbox)")
    stored = customers_app_store.query("import_runs", kind="consent")
    assert stored["actor"].tolist() == runs["actor"].tolist()
    assert [p.name for p in folder.iterdir() if not p.name.endswith(".result.json")] == []
