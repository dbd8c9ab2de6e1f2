"""The one owner of the database: connections, cursors, the single write path, migrations, the append-only
request history. Layer 1: imports only rules and clock.

`database` holds the Store; its public names are the package's interface (`from privacyops.store import
Store, open_store`), so nothing outside needs to know the module layout inside.
"""

from privacyops.store.database import DEFAULT_DB_PATH, PROJECT_ROOT, Store, default_db_path, open_store
from privacyops.store.errors import DiskFullError, QueryError, StoreError, StoreLockedError, StoreVersionError
from privacyops.store.queries import QUERIES_DIR, NamedQuery, named_query, query_names, run_named
from privacyops.store.schema import MIGRATIONS_DIR, Migration, latest_schema_version, migrations

__all__ = [
    "DEFAULT_DB_PATH",
    "MIGRATIONS_DIR",
    "PROJECT_ROOT",
    "QUERIES_DIR",
    "DiskFullError",
    "Migration",
    "NamedQuery",
    "QueryError",
    "Store",
    "StoreError",
    "StoreLockedError",
    "StoreVersionError",
    "default_db_path",
    "latest_schema_version",
    "migrations",
    "named_query",
    "open_store",
    "query_names",
    "run_named",
]
