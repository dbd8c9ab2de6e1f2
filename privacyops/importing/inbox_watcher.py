"""The dashboard's side of the import inbox (privacyops.importing.inbox): one background thread per store and
process that takes the handed-over files one at a time and imports them with the command line's own code
(cli.import_request), and a heartbeat that tells the command line someone is watching.

Streamlit has no scheduler, so the dashboard starts this once when its server starts (ui.upkeep); a thread
polls every few seconds. The store is opened by the watcher too (the process's one Store, open_store's
registry): a dashboard that started while the command line held the store gets it as soon as it is free.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from privacyops.importing import cli, inbox
from privacyops.store import StoreError, open_store

POLL_EVERY_S = 2.0
log = logging.getLogger(__name__)


class InboxWatcher:
    """Watches one store's inbox until stopped; `on_imported(kind)` runs after each import (the dashboard
    refreshes its cached figures)."""

    def __init__(self, store_path: str | Path, on_imported: Callable[[str], None] | None = None,
                 poll_every_s: float = POLL_EVERY_S) -> None:
        self.store_path = Path(store_path).expanduser().resolve()
        self.folder = inbox.inbox_folder(self.store_path)
        self.on_imported = on_imported or (lambda kind: None)
        self.poll_every_s = poll_every_s
        self.imported = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._beat, name="privacyops-inbox-beat", daemon=True),
                         threading.Thread(target=self._watch, name="privacyops-inbox", daemon=True)]

    def start(self) -> InboxWatcher:
        inbox.ensure_folder(self.folder)
        inbox.requeue_abandoned(self.folder)
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return not self._stop.is_set() and all(thread.is_alive() for thread in self._threads)

    def _beat(self) -> None:
        while True:
            try:
                inbox.beat(inbox.ensure_folder(self.folder), self.store_path)   # again if someone removed it
            except OSError as error:   # the disk is full or the folder went: say so, keep trying
                log.warning("The import inbox %s cannot be written: %s", self.folder, error)
            if self._stop.wait(inbox.BEAT_EVERY_S):
                return

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:   # one bad poll must not end the watching: log it, try again
                log.exception("The import inbox %s could not be read", self.folder)
            self._stop.wait(self.poll_every_s)

    def poll_once(self) -> int:
        """Import every complete request waiting now; the number imported. A store held by another program
        is tried again at the next poll (the requests wait)."""
        try:
            store = open_store(self.store_path)
        except StoreError as error:
            log.info("The import inbox waits: %s", error)
            return 0
        inbox.sweep(inbox.ensure_folder(self.folder))
        done = 0
        while not self._stop.is_set() and (request := inbox.take_next(self.folder, self.store_path)) is not None:
            code, stdout, stderr = cli.import_request(store, self.folder, request)
            inbox.finish(self.folder, request, code, stdout, stderr)
            done += 1
            self.imported += 1
            self.on_imported(request.kind)
        return done


_watchers: dict[Path, InboxWatcher] = {}
_watchers_lock = threading.Lock()


def start_watcher(store_path: str | Path, on_imported: Callable[[str], None] | None = None) -> InboxWatcher:
    """The process's watcher of this store's inbox, started the first time (later calls return it)."""
    resolved = Path(store_path).expanduser().resolve()
    with _watchers_lock:
        watcher = _watchers.get(resolved)
        if watcher is None or not watcher.running:
            watcher = _watchers[resolved] = InboxWatcher(resolved, on_imported).start()
        return watcher


def stop_watchers() -> None:
    """Stop every watcher of this process (the server's shutdown)."""
    with _watchers_lock:
        for watcher in _watchers.values():
            watcher.stop()
        _watchers.clear()
