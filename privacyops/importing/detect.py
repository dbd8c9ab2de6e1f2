"""What can be told about an import file before DuckDB reads it: its format, encoding, delimiter,
decimal separator and column headers (from the first 64 KiB), and, in one streaming pass over the bytes,
how many lines it has, whether it uses quotes and where its blank lines are.

Pure Python over bytes, bounded memory (one chunk at a time). The importer uses the scan to choose a
safe DuckDB reader (the parallel CSV reader only when no quote can span lines) and to number every row
exactly (DuckDB's CSV reader skips blank lines without saying where they were).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMATS = {"csv": "CSV (delimited text)", "parquet": "Parquet", "jsonl": "JSON lines"}
ENCODINGS = {"utf-8": "UTF-8 (with or without BOM)", "windows-1252": "Windows-1252 (Swedish Excel)"}
DELIMITERS = {",": "Comma ,", ";": "Semicolon ;", "\t": "Tab", "|": "Pipe |"}
DELIMITER_WORDS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}

SAMPLE_BYTES = 64 * 1024
# A well-formed UTF-8 sequence of two to four bytes (a Windows-1252 text rarely contains one by chance).
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
CHUNK_BYTES = 8 * 1024 * 1024
UTF8_BOM = codecs.BOM_UTF8


class FileProblem(ValueError):
    """The file cannot be read at all (empty, not the format it claims, ...): nothing can be imported."""


class NotText(FileProblem):
    """The file is not text at all (a workbook, an image, UTF-16 ...): no reading option helps."""


@dataclass(frozen=True)
class Detected:
    """What the first bytes of a file say; every value is a default the user may override."""

    format: str
    encoding: str
    delimiter: str
    decimal_comma: bool
    has_bom: bool
    size: int
    notes: tuple[str, ...] = ()


@dataclass
class Scan:
    """One pass over a delimited or JSON-lines file's bytes."""

    lines: int = 0                 # physical lines, a last line without a newline included
    has_quotes: bool = False       # any '"' at all: then a quoted value may span lines
    ends_with_newline: bool = True
    trailing_blank_lines: int = 0  # blank lines at the very end (they shift no row)
    quotes: int = 0                # quote characters: an odd number means a quote is never closed


def detect(path: Path, *, name: str | None = None) -> Detected:
    """Guess format (by magic bytes, then the name), encoding (BOM, valid UTF-8, else Windows-1252),
    delimiter (the candidate that splits the header line most evenly) and decimal separator."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
        handle.seek(max(0, size - 4))
        tail = handle.read(4)
    suffix = Path(name or path.name).suffix.lower()
    notes: list[str] = []
    if head[:4] == b"PAR1" and tail == b"PAR1":
        return Detected("parquet", "utf-8", ",", False, False, size, ("Parquet (by its magic bytes).",))
    has_bom = head.startswith(UTF8_BOM)
    encoding = "utf-8"
    if not has_bom and not _is_utf8_prefix(head):
        if _UTF8_MULTIBYTE.search(head):
            notes.append("Mostly UTF-8, but some bytes are not: the rows holding them will be rejected (or choose "
                         "Windows-1252 if the whole file comes from Excel).")
        else:
            encoding = "windows-1252"
            notes.append("Not UTF-8: read as Windows-1252 (as Swedish Excel writes).")
    text = _decode(head[len(UTF8_BOM):] if has_bom else head, encoding)
    stripped = text.lstrip()
    if suffix in (".jsonl", ".ndjson", ".json") or stripped.startswith("{"):
        return Detected("jsonl", encoding, ",", False, has_bom, size, (*notes, "JSON lines: one object per line."))
    first_line = text.splitlines()[0] if text else ""
    delimiter = guess_delimiter(first_line)
    decimal_comma = delimiter == ";"
    notes.append(f"Columns separated by {DELIMITER_WORDS[delimiter]}"
                 + ("; decimal comma (as Swedish Excel writes semicolon files)." if decimal_comma else "."))
    return Detected("csv", encoding, delimiter, decimal_comma, has_bom, size, tuple(notes))


WHAT_TO_DO = "Export it as CSV (UTF-8), JSON Lines or Parquet and import that file."
# Magic bytes at the start of a file -> what a person calls that file.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls) or another Office document"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip-compressed file (unpack it first)"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
# In a text file, control characters other than tab, line feed, form feed and carriage return are rare.
_TEXT_CONTROLS = frozenset(b"\t\n\x0c\r")
_MAX_CONTROL_SHARE = 0.05


def not_text(head: bytes) -> str | None:
    """What the first bytes say a file is when it is not text a CSV or JSON-lines reader can read (an
    Excel workbook, a PDF, an image, UTF-16 text, ...), as a sentence for the person who chose it; None
    for text. Called before any reader sees the file, so nobody gets a parser's wording for a binary file."""
    if not head:
        return None
    utf16 = _utf16(head)
    if utf16:
        return (f"This file is {utf16} (Excel's \"Unicode text\" is saved like this), which the import cannot "
                "read. Save it as CSV UTF-8 (or JSON Lines or Parquet) and import that file.")
    kind = _zip_kind(head) or next((what for magic, what in _SIGNATURES if head.startswith(magic)), None)
    if kind is None and head[8:12] == b"DUCK":
        kind = "a DuckDB database"
    if kind is None and _looks_binary(head):
        kind = "a Parquet file (choose the Parquet format)" if head.startswith(b"PAR1") else "a binary file"
    if kind is None:
        return None
    return f"This file is not text: it looks like {kind}. {WHAT_TO_DO}"


def _utf16(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32 text"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text"
    sample = head[:4096]
    if len(sample) >= 8:
        # UTF-16 without a byte order mark: every other byte of Latin text is a NUL.
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "UTF-16 text"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "UTF-16 text"
    return None


# Entry names that tell which kind of ZIP archive a file is, tried in this order (the first that is in the
# file's first bytes wins; [Content_Types].xml is in every Office document, so it comes last).
_ZIP_KINDS = (
    (b"xl/", "an Excel workbook (.xlsx)"),
    (b"word/", "a Word document (.docx)"),
    (b"ppt/", "a PowerPoint presentation (.pptx)"),
    (b"opendocument.spreadsheet", "an OpenDocument spreadsheet (.ods)"),
    (b"opendocument.text", "an OpenDocument text document (.odt)"),
    (b"[Content_Types].xml", "an Office document (.xlsx, .docx or .pptx)"),
)


def _zip_kind(head: bytes) -> str | None:
    """A ZIP archive, and which: Office and OpenDocument files are ZIP archives with telling entry names."""
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return None
    for marker, kind in _ZIP_KINDS:
        if marker in head:
            return kind
    return "a ZIP archive"


def _looks_binary(head: bytes) -> bool:
    sample = head[:SAMPLE_BYTES]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if (byte < 0x20 and byte not in _TEXT_CONTROLS) or byte == 0x7F)
    return controls > _MAX_CONTROL_SHARE * len(sample)


def check_text(path: Path) -> None:
    """Raise FileProblem saying what the file is when it is not text (see not_text)."""
    with path.open("rb") as handle:
        problem = not_text(handle.read(SAMPLE_BYTES))
    if problem:
        raise NotText(problem)


def _is_utf8_prefix(data: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(data, final=False)   # a character cut at the end of the sample is fine
    except UnicodeDecodeError:
        return False
    return True


def _decode(data: bytes, encoding: str) -> str:
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=False)


def guess_delimiter(header_line: str) -> str:
    """The delimiter that occurs most often outside quotes in the header line (comma when none does)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    in_quotes = False
    for char in header_line:
        if char == '"':
            in_quotes = not in_quotes
        elif not in_quotes and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read_header(path: Path, detected_format: str, encoding: str, delimiter: str) -> list[str]:
    """The file's column headers, as written (BOM and surrounding spaces removed).

    CSV: the first record. JSON lines: the keys of the first 1,000 objects in order of appearance.
    Parquet: the schema's column names (read by the importer through DuckDB, not here).
    Raises FileProblem for an empty file.
    """
    if detected_format == "parquet":
        raise ValueError("Parquet headers come from the file's schema (read.file_headers)")
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
        while b"\n" not in head:           # a very long header line
            more = handle.read(SAMPLE_BYTES)
            if not more:
                break
            head += more
            if len(head) > 16 * 1024 * 1024:
                raise FileProblem("The first line is longer than 16 MiB: this is not a file with a header line.")
    if head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM):]
    text = _decode(head, encoding)
    if not text.strip():
        raise FileProblem("The file is empty: there is no header line and no rows.")
    if detected_format == "jsonl":
        keys: list[str] = []
        for number, line in enumerate(text.splitlines()[:1000]):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError:
                if number == len(text.splitlines()) - 1:
                    break                   # the sample cut the last line
                continue
            if isinstance(value, dict):
                keys.extend(k for k in value if k not in keys)
        if not keys:
            raise FileProblem("No line of the first 64 KiB is a JSON object: this is not a JSON lines file.")
        return keys
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"')
    try:
        row = next(reader)
    except (StopIteration, csv.Error) as error:
        raise FileProblem(f"The header line cannot be read: {error}") from error
    headers = [h.replace("\ufeff", "").strip() for h in row]
    if not any(headers):
        raise FileProblem("The first line is empty: the file must start with a header line naming its columns.")
    return headers


def scan(path: Path, *, transcode_to: Path | None = None, digest: Any = None,
         progress: Callable[[float], None] | None = None) -> Scan:
    """Count lines and look for quotes; optionally write a UTF-8 copy (Windows-1252 input) and feed a hash.

    Streams CHUNK_BYTES at a time. Blank lines are located later, and only when the importer finds fewer
    rows than lines (`blank_records`): most files have none, and looking costs a pass in Python.
    """
    result = Scan()
    size = path.stat().st_size or 1
    done = 0
    previous = b"\n"    # the start of the file behaves like the start of a line
    # Bytes Windows-1252 leaves undefined become U+FFFD, which the importer rejects row by row.
    decoder = codecs.getincrementaldecoder("windows-1252")(errors="replace") if transcode_to else None
    out = transcode_to.open("wb") if transcode_to else None
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                if digest is not None:
                    digest.update(chunk)
                if done == 0 and chunk.startswith(UTF8_BOM):
                    chunk = chunk[len(UTF8_BOM):]
                result.lines += chunk.count(b"\n")
                if b'"' in chunk:
                    result.has_quotes = True
                    result.quotes += chunk.count(b'"')
                previous = chunk
                if out is not None and decoder is not None:
                    out.write(decoder.decode(chunk).encode("utf-8"))
                done += len(chunk)
                if progress:
                    progress(min(1.0, done / size))
            if out is not None and decoder is not None:
                out.write(decoder.decode(b"", final=True).encode("utf-8"))
    finally:
        if out is not None:
            out.close()
    result.ends_with_newline = previous.endswith(b"\n")
    tail = previous[len(previous.rstrip(b"\r\n")):]
    if result.ends_with_newline:
        result.trailing_blank_lines = max(0, tail.count(b"\n") - 1)
    elif previous:
        result.lines += 1
    return result


def _lines_by_record(path: Path, *, quotes: bool) -> Iterator[tuple[int, bool, bytes]]:
    """Each line of the file (a leading BOM removed) with the record it belongs to, numbered as DuckDB counts
    records (1-based; a quoted value spanning lines is one record), and whether the line starts inside a
    quoted value (an odd number of quote characters before it: exact for well-formed CSV). `quotes`: False
    when the file has none, so no line is counted for them."""
    record = 0
    in_quotes = False
    with path.open("rb") as handle:
        for number, line in enumerate(handle):
            if number == 0 and line.startswith(UTF8_BOM):
                line = line[len(UTF8_BOM):]
            if not in_quotes:
                record += 1
            yield record, in_quotes, line
            if quotes and line.count(b'"') % 2:
                in_quotes = not in_quotes


def blank_records(path: Path, has_quotes: bool) -> list[int]:
    """Record numbers (1-based, as DuckDB counts them: a quoted value spanning lines is one record) of the
    blank lines outside quoted values; trailing blank lines at the end of the file are left out."""
    blanks: list[int] = []
    record = 0
    # after the loop, record is the last record number
    for record, inside_quotes, line in _lines_by_record(path, quotes=has_quotes):
        if not inside_quotes and line in (b"\n", b"\r\n", b"\r"):
            blanks.append(record)
    # trailing blank lines shift no row (DuckDB does not count them either)
    while blanks and blanks[-1] == record:
        blanks.pop()
        record -= 1
    return blanks


def unclosed_quote(path: Path) -> tuple[int, str] | None:
    """Where the quote that is never closed opens: (its record number, as DuckDB counts records, and the
    text from there, at most 1,000 characters), or None when every quote is closed. Exact for files whose
    other quotes are well formed; only called when the file has an odd number of quote characters."""
    in_quotes = False
    opened_at = 0
    text = b""
    for record, inside_quotes, line in _lines_by_record(path, quotes=True):
        toggles = line.count(b'"') % 2 == 1
        in_quotes = inside_quotes != toggles      # inside a quoted value after this line
        if toggles and in_quotes:
            opened_at, text = record, line
        elif in_quotes and len(text) < 4000:
            text += line
    if not in_quotes:
        return None
    return opened_at, text.decode("utf-8", errors="replace")[:1000]
