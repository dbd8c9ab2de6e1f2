"""The one error of the SQL explorer: what it would not or could not do, and what to do instead."""

from __future__ import annotations


class ExplorerError(Exception):
    """The explorer would not, or could not, run a query; the message says why and what to do."""

    title = "The explorer refused this query"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        if title:
            self.title = title

