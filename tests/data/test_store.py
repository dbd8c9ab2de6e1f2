"""The store on real DuckDB files: migrations, the write path, locking, error messages."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from privacyops.store import (
    StoreError,
    StoreLockedError,
    StoreVersionError,
    latest_schema_version,
    migrations,
    open_store,
)

ROOT = Path(__file__).resolve().parents[2]


def test_new_file_gets_every_migration(store_path):
    store = open_store(store_path)
    try:
        assert store.schema_version() == latest_schema_version() >= 2
        with store.cursor() as cur:
            applied = [r[0] for r in cur.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
        assert applied == [m.version for m in migrations()]
    finally:
        store.close()


def test_open_twice_in_one_process_is_the_same_store(store_path):
    first = open_store(store_path)
    try:
        assert open_store(store_path) is first
    finally:
        first.close()


def test_older_file_is_migrated_and_keeps_its_data(store_path):
    first = migrations()[0]
    con = duckdb.connect(str(store_path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL)")
    con.execute(first.sql)
    con.execute("INSERT INTO schema_migrations VALUES (1, 'initial', now()::TIMESTAMP)")
    con.execute("INSERT INTO customers VALUES ('C09', 'Äldre Kund AB', '556000-0009', 3, now()::TIMESTAMP)")
    con.close()

    store = open_store(store_path)
    try:
        assert store.schema_version() == latest_schema_version()
        assert store.query("customer", customer_id="C09")["name"].tolist() == ["Äldre Kund AB"]
        with store.cursor() as cur:  # the views of migration 002 exist now
            assert cur.execute("SELECT count(*) FROM request_clock").fetchone() == (0,)
    finally:
        store.close()


def test_newer_file_is_refused_and_left_unchanged(store_path):
    store = open_store(store_path)
    store.close()
    con = duckdb.connect(str(store_path))
    con.execute("INSERT INTO schema_migrations VALUES (99, 'from_the_future', now()::TIMESTAMP)")
    con.close()
    before = store_path.read_bytes()

    with pytest.raises(StoreVersionError) as caught:
        open_store(store_path)
    message = str(caught.value)
    assert "schema version 99" in message and f"up to {latest_schema_version()}" in message
    assert store_path.read_bytes() == before


def test_failed_write_leaves_nothing(customer_store):
    def half_then_fail(cur):
        cur.execute("INSERT INTO customers (customer_id, name, org_number, forward_working_days, created_at) "
                    "VALUES ('C77', 'Halv AB', '556000-0077', 3, now()::TIMESTAMP)")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        customer_store.write(half_then_fail)
    assert customer_store.query("customer", customer_id="C77").empty


def test_constraint_error_is_translated(customer_store):
    def bad_type(cur):
        cur.execute("INSERT INTO customers (customer_id, name, org_number, forward_working_days, created_at) "
                    "VALUES ('C01', 'Dubblett AB', '556000-0001', 3, now()::TIMESTAMP)")

    with pytest.raises(StoreError) as caught:
        customer_store.write(bad_type)
    assert caught.value.title == "Not saved"


def test_many_threads_read_and_write_without_errors(customer_store):
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(40):
                customer_store.query("store_counts")
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    def writer(n: int) -> None:
        try:
            for i in range(10):
                customer_store.write(lambda cur, n=n, i=i: cur.execute(
                    "INSERT INTO store_meta VALUES ($k, 'x')", {"k": f"thread{n}-{i}"}))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=reader) for _ in range(6)] + \
              [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(customer_store.query("store_meta")) == 40


def test_held_store_is_refused_at_once_with_the_pid(store_path):
    open_store(store_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time, duckdb; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
         str(store_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        with pytest.raises(StoreLockedError) as caught:
            open_store(store_path)
        assert time.perf_counter() - started < 5
        assert caught.value.pid == holder.pid
        assert f"process {holder.pid}" in str(caught.value)

        cli = subprocess.run([sys.executable, "-m", "privacyops", "--db", str(store_path), "stats"],
                             capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert cli.returncode == 1
        assert "held by another program (python" in cli.stderr and f"process {holder.pid}" in cli.stderr
        assert "dashboard" not in cli.stderr   # it is not one: the holder is named from its command line
    finally:
        holder.kill()
        holder.wait()
