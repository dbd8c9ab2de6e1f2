"""Writing SQL text from this code base's own constants, the one way: values from people or files never go
through here (they are bound as parameters); names and constants that a statement must spell out do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date


def literal(text: str) -> str:
    """A SQL string literal: single quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def identifier(name: str) -> str:
    """A quoted SQL identifier: double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def string_list(values: Iterable[str]) -> str:
    """A DuckDB list literal of strings: ['a', 'b']."""
    return "[" + ", ".join(literal(v) for v in values) + "]"


def date_literal(day: date) -> str:
    """A DATE literal: DATE '2025-03-05'."""
    return f"DATE '{day.isoformat()}'"
