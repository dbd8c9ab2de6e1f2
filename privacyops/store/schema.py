"""The numbered migrations that make a store the current schema: NNN_name.sql and/or NNN_name.py (a
`migrate(cur)` step for what SQL cannot do), run in order, in one transaction, by Store."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from privacyops.store.errors import StoreError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.(sql|py)$")
MigrationStep = Callable[[duckdb.DuckDBPyConnection], None]


@dataclass(frozen=True)
class Migration:
    """One numbered schema step: NNN_name.sql, NNN_name.py, or both (same number and name).

    The SQL runs first; then the Python file's `migrate(cur)` function, for what SQL cannot do (e.g.
    recomputing the history's sha256 chain, which is defined in Python). Both run on the migration
    transaction's cursor: `migrate(cur)` must not BEGIN/COMMIT, and an exception rolls back every pending
    migration. A Python step is written against the schema of its own number: it must not depend on
    later migrations, nor on code that reads columns added after it.
    """

    version: int
    name: str
    sql: str = ""
    python: Path | None = None

    def apply(self, cur: duckdb.DuckDBPyConnection) -> None:
        if self.sql:
            cur.execute(self.sql)
        if self.python is not None:
            _python_step(self.python)(cur)


def _python_step(path: Path) -> MigrationStep:
    """The `migrate(cur)` function of a Python migration file (its name starts with a digit, so it is
    loaded from its path rather than imported by name)."""
    spec = importlib.util.spec_from_file_location(f"privacyops.migrations.m{path.stem}", path)
    if spec is None or spec.loader is None:
        raise StoreError(f"The migration {path.name} could not be loaded.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    step = getattr(module, "migrate", None)
    if not callable(step):
        raise StoreError(f"The migration {path.name} has no migrate(cur) function.")
    return step


def migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The numbered migrations in `directory`, in order (a .sql and a .py of one number form one)."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.iterdir()):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            continue
        version, name, kind = int(match.group(1)), match.group(2), match.group(3)
        current = found.get(version, Migration(version, name))
        if current.name != name:
            raise StoreError(f"Two migrations are numbered {version:03d} ({current.name}, {name}); "
                             "each number belongs to one migration.")
        found[version] = (replace(current, sql=path.read_text("utf-8")) if kind == "sql"
                          else replace(current, python=path))
    return [found[v] for v in sorted(found)]


def latest_schema_version() -> int:
    return max(m.version for m in migrations())
