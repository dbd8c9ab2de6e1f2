"""A full disk (issue 11 item 10), on a real 40 MB tmpfs: a large write is refused up front with how much is
needed and free; a write that still fills the disk fails cleanly, and the store works again afterwards."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from privacyops.cases import backup, customers
from privacyops.demo import generator as demo
from privacyops.store import DiskFullError, open_store
from tests.conftest import make_customer

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_write_that_fills_the_disk_fails_cleanly_and_the_store_works_again(small_disk):
    store = open_store(small_disk / "store.duckdb")
    other_files = small_disk / "other-files"      # what the disk held besides the store
    other_files.write_bytes(b"\0" * (4 * 1024 * 1024))
    try:
        with pytest.raises(DiskFullError, match=r"No space left.*nothing was saved"):
            demo.generate(store, 2_000_000)
        other_files.unlink()                       # space is freed
        # the failed write left nothing, and the store takes the next write (it reopened by itself)
        customers.save(store, make_customer("C01", "Testkund Ett AB"), actor="t@example.com")
        counts = dict(store.query("store_counts").itertuples(index=False))
        assert (counts["customers"], counts["consent_records"]) == (1, 0)
    finally:
        store.close()


def test_a_large_write_is_refused_before_it_starts(small_disk, tmp_path):
    store = open_store(small_disk / "store.duckdb")
    try:
        with pytest.raises(DiskFullError) as refused:
            store.require_free_space(100 * 1024 * 1024, "the import of consent.csv")
        message = str(refused.value)
        assert "the import of consent.csv" in message and "MB needed" in message and "MB free" in message
        assert "Nothing was written" in message
    finally:
        store.close()
    roomy = open_store(tmp_path / "roomy.duckdb")      # the machine's own disk has room for 1 MB
    try:
        roomy.require_free_space(1024 * 1024, "a small import")
    finally:
        roomy.close()


def test_a_backup_that_does_not_fit_is_refused_and_leaves_nothing(small_disk, customer_store):
    folder = small_disk / "backups"
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (30 * 1024 * 1024))
    with pytest.raises(DiskFullError, match="backup"):
        backup.take(customer_store, folder=folder)
    assert not folder.exists() or not list(folder.iterdir())
