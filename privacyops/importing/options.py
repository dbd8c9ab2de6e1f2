"""How to read an import file: the options the user may override (each has a detected default, see
read.FileInfo.default_options), their check, and the error for options that cannot be used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from privacyops.importing import contract, detect

# Progress of an import: what it is doing, and how far it has come (0.0 to 1.0).
ProgressFn = Callable[[str, float], None]


def no_progress(step: str, fraction: float) -> None:
    """For callers that show no progress."""
    return None


class ImportInputError(ValueError):
    """Options that cannot be used (an unknown kind, a mapping to a column the file does not have, ...)."""


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file; every value has a detected default (see `FileInfo.default_options`)."""

    format: str = "csv"
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal_comma: bool = False
    # contract column -> the file's header for it; columns left out are matched by name
    mapping: tuple[tuple[str, str], ...] = ()
    mapping_name: str = ""

    def with_mapping(self, mapping: Mapping[str, str], name: str = "") -> ImportOptions:
        return ImportOptions(self.format, self.encoding, self.delimiter, self.decimal_comma,
                             tuple(sorted((k, v) for k, v in mapping.items() if v)), name)

    def reading(self) -> dict[str, Any]:
        """The reading options alone (what a saved mapping remembers besides the columns)."""
        return {"format": self.format, "encoding": self.encoding, "delimiter": self.delimiter,
                "decimal_comma": self.decimal_comma}


def check_options(kind: str, options: ImportOptions) -> None:
    """ImportInputError naming the option that is not one of its choices."""
    if kind not in contract.KINDS:
        raise ImportInputError(f"'{kind}' is not an import kind; kinds: {', '.join(contract.KINDS)}.")
    if options.format not in detect.FORMATS:
        raise ImportInputError(f"'{options.format}' is not a format; formats: {', '.join(detect.FORMATS)}.")
    if options.encoding not in detect.ENCODINGS:
        raise ImportInputError(f"'{options.encoding}' is not an encoding; encodings: {', '.join(detect.ENCODINGS)}.")
    if options.delimiter not in detect.DELIMITERS:
        raise ImportInputError("The delimiter is one of: comma, semicolon, tab, pipe.")
