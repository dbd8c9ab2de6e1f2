"""Which of a file's columns feeds which contract column: matched by name, given by the user, or saved per
source of files (`import_mappings`) so that the next file from the same source is read the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from privacyops.importing import contract
from privacyops.importing.options import ImportInputError, ImportOptions, check_options
from privacyops.importing.runs import json_text
from privacyops.store import Store


def auto_mapping(kind: str, headers: Sequence[str]) -> dict[str, str]:
    """Contract column -> the first header that spells it (case, spaces and dashes ignored)."""
    by_name: dict[str, str] = {}
    for header in headers:
        by_name.setdefault(contract.normalise_header(header), header)
    return {name: by_name[name] for name in contract.column_names(kind) if name in by_name}


def resolve_mapping(kind: str, headers: Sequence[str], given: Mapping[str, str]) -> tuple[dict[str, int], list[str]]:
    """Contract column -> index of the file column it comes from, and the file's headers left unused.

    `given` (from the user or a saved mapping) wins; other contract columns are matched by name.
    """
    names = contract.column_names(kind)
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ImportInputError(f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not "
                               f"{kind} columns; the columns are: {', '.join(names)}.")
    index = {}
    for position, header in enumerate(headers):
        index.setdefault(header, position)
    mapping: dict[str, int] = {}
    auto = auto_mapping(kind, headers)
    for name in names:
        header = given.get(name, auto.get(name))
        if header is None or header == "":
            continue
        if header not in index:
            raise ImportInputError(f"The mapping takes {name} from a column '{header}' the file does not have; "
                                   f"its columns are: {', '.join(headers)}.")
        mapping[name] = index[header]
    used = set(mapping.values())
    ignored = [h for i, h in enumerate(headers) if i not in used and h]
    return mapping, ignored


@dataclass(frozen=True)
class SavedMapping:
    source: str
    kind: str
    mapping: dict[str, str]
    reading: dict[str, Any]


def save_mapping(store: Store, kind: str, source: str, options: ImportOptions, *, actor: str) -> None:
    """Remember how files from `source` are read and mapped (one mapping per source and kind)."""
    source = source.strip()
    if not source:
        raise ImportInputError("Name the source of the files (e.g. 'cookie banner export') to save its mapping.")
    if len(source) > 80:
        raise ImportInputError("Keep the source's name under 80 characters.")
    check_options(kind, options)
    mapping = dict(options.mapping)
    unknown = sorted(set(mapping) - set(contract.column_names(kind)))
    if unknown:
        raise ImportInputError(f"{', '.join(unknown)} are not {kind} columns.")
    store.write(lambda cur: cur.execute("""
        INSERT INTO import_mappings (kind, source, mapping, options, updated_at, updated_by)
        VALUES ($kind, $source, $mapping, $options, now()::TIMESTAMP, $actor)
        ON CONFLICT (kind, source) DO UPDATE SET mapping = excluded.mapping, options = excluded.options,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by
    """, {"kind": kind, "source": source, "mapping": json_text(mapping),
          "options": json_text(options.reading()), "actor": actor}), touches=("imports",))


def saved_mappings(store: Store, kind: str) -> dict[str, SavedMapping]:
    frame = store.query("import_mappings", kind=kind)
    return {row.source: SavedMapping(row.source, kind, json.loads(row.mapping), json.loads(row.options))
            for row in frame.itertuples(index=False)}


def apply_saved(options: ImportOptions, saved: SavedMapping) -> ImportOptions:
    """The options with a saved mapping's reading options and columns (the saved ones win)."""
    reading = {**options.reading(), **saved.reading}
    return ImportOptions(reading["format"], reading["encoding"], reading["delimiter"], bool(reading["decimal_comma"]),
                         tuple(sorted(saved.mapping.items())), saved.source)
