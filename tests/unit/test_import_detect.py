"""What the importer tells from a file's bytes before DuckDB reads it (privacyops.importing.detect), and the
pure helpers around it: header matching, formula neutralising."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from privacyops.importing import detect
from privacyops.importing.contract import normalise_header
from privacyops.importing.mappings import auto_mapping, resolve_mapping
from privacyops.importing.read import file_headers
from privacyops.importing.rejects import neutralise


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("header", "expected"), [
    ("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ("a|b|c", "|"), ("single", ","),
    ('"x;y",b,c', ","), ("a;b,c;d", ";"),
])
def test_guess_delimiter(header, expected):
    assert detect.guess_delimiter(header) == expected


def test_detect_csv_utf8_with_bom_and_semicolons(tmp_path):
    path = write(tmp_path, "x.csv", b"\xef\xbb\xbfid;namn\n1;\xc3\x85sa\n")
    found = detect.detect(path)
    assert (found.format, found.encoding, found.delimiter, found.decimal_comma, found.has_bom) == (
        "csv", "utf-8", ";", True, True)
    assert file_headers(path, "csv", "utf-8", ";") == ["id", "namn"]


def test_detect_windows_1252(tmp_path):
    path = write(tmp_path, "x.csv", "id,namn\n1,Åsa Öberg – 5 €\n".encode("cp1252"))
    found = detect.detect(path)
    assert (found.encoding, found.delimiter, found.decimal_comma) == ("windows-1252", ",", False)


def test_detect_mostly_utf8_stays_utf8(tmp_path):
    path = write(tmp_path, "x.csv", "id,namn\n1,Örjan\n".encode() + "2,Åsa\n".encode("cp1252"))
    found = detect.detect(path)
    assert found.encoding == "utf-8"
    assert "Mostly UTF-8" in " ".join(found.notes)


def test_detect_jsonl_and_parquet(tmp_path):
    assert detect.detect(write(tmp_path, "x.txt", b'{"a": 1}\n{"a": 2}\n')).format == "jsonl"
    assert detect.detect(write(tmp_path, "x.jsonl", b'\n{"a": 1}\n')).format == "jsonl"
    assert detect.detect(write(tmp_path, "x.bin", b"PAR1" + b"\0" * 20 + b"PAR1")).format == "parquet"
    path = write(tmp_path, "y.jsonl", b'{"b": 1, "a": 2}\nnot json\n{"c": 3}\n')
    assert file_headers(path, "jsonl", "utf-8", ",") == ["b", "a", "c"]


def test_headers_of_empty_and_odd_files(tmp_path):
    with pytest.raises(detect.FileProblem, match="The file is empty"):
        file_headers(write(tmp_path, "e.csv", b""), "csv", "utf-8", ",")
    with pytest.raises(detect.FileProblem, match="The file is empty"):
        file_headers(write(tmp_path, "w.csv", b"\n\n  \n"), "csv", "utf-8", ",")
    with pytest.raises(detect.FileProblem, match="not a JSON lines file"):
        file_headers(write(tmp_path, "j.jsonl", b"[1]\n"), "jsonl", "utf-8", ",")
    with pytest.raises(detect.FileProblem, match="not a readable Parquet file"):
        file_headers(write(tmp_path, "p.parquet", b"nope"), "parquet", "utf-8", ",")
    assert file_headers(write(tmp_path, "q.csv", b'" id ","a ""b"""\n'), "csv", "utf-8", ",") == [
        "id", 'a "b"']


def test_scan_counts_lines_quotes_and_hashes(tmp_path):
    data = b'id,x\n1,"a\nb"\n2,c\n\n\n'
    digest = hashlib.sha256()
    scan = detect.scan(write(tmp_path, "x.csv", data), digest=digest)
    assert (scan.lines, scan.has_quotes, scan.quotes, scan.trailing_blank_lines) == (6, True, 2, 2)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()
    no_newline = detect.scan(write(tmp_path, "y.csv", b"id\n1"))
    assert (no_newline.lines, no_newline.has_quotes, no_newline.ends_with_newline) == (2, False, False)


def test_scan_transcodes_windows_1252(tmp_path):
    source = write(tmp_path, "x.csv", "id,namn\n1,Åsa – 5 €\n".encode("cp1252") + b"2,\x81\n")
    target = tmp_path / "utf8.csv"
    detect.scan(source, transcode_to=target)
    assert target.read_text("utf-8") == "id,namn\n1,Åsa – 5 €\n2,\ufffd\n"


def test_blank_records_outside_quotes_only(tmp_path):
    path = write(tmp_path, "x.csv", b'h\n1\n\n"a\n\nb"\n2\n\r\n3\n\n\n')
    # records: 1 h, 2 "1", 3 blank, 4 the quoted value spanning 4 lines, 5 "2", 6 blank, 7 "3"; trailing blanks out
    assert detect.blank_records(path, has_quotes=True) == [3, 6]
    assert detect.blank_records(write(tmp_path, "y.csv", b"h\n1\n\n2\n"), has_quotes=False) == [3]


def test_unclosed_quote_is_found(tmp_path):
    assert detect.unclosed_quote(write(tmp_path, "ok.csv", b'h\n"a\nb"\nc\n')) is None
    assert detect.unclosed_quote(write(tmp_path, "x.csv", b'h\n"a\nb"\nc,"never\nd\ne\n')) == (3, 'c,"never\nd\ne\n')


@pytest.mark.parametrize(("header", "expected"), [
    ("Consent ID", "consent_id"), ("\ufeffconsent_id", "consent_id"), ("  given-at ", "given_at"),
    ("Forward  Working Days", "forward_working_days"), ('"Status"', "status"),
])
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+46 8 123", "'+46 8 123"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("plain", "plain"), ("", ""), (None, None), ("a=b", "a=b"),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_auto_mapping_and_resolution():
    headers = ["Consent ID", "customer_id", "CUSTOMER_ID", "extra", "Given At"]
    assert auto_mapping("consent", headers) == {
        "consent_id": "Consent ID", "customer_id": "customer_id", "given_at": "Given At"}
    mapping, ignored = resolve_mapping("consent", headers, {"subject_id": "extra"})
    assert mapping == {"consent_id": 0, "customer_id": 1, "subject_id": 3, "given_at": 4}
    assert ignored == ["CUSTOMER_ID"]


# --- files that are not text: say what they are (issue 11, item 7) -----------------------------------------

def _zip(entries: dict[str, str]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


NOT_TEXT = {
    "xlsx": (_zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}), "an Excel workbook (.xlsx)"),
    "zip": (_zip({"consent.csv": "consent_id\nA\n"}), "a ZIP archive"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "a PNG image"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
    "random": (bytes((i * 7919 + 13) % 256 for i in range(4096)), "a binary file"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "an old Excel workbook (.xls) or another Office document"),
}


@pytest.mark.parametrize("name", NOT_TEXT)
def test_binary_files_are_named_with_what_to_do(name):
    content, what = NOT_TEXT[name]
    message = detect.not_text(content)
    assert message == f"This file is not text: it looks like {what}. {detect.WHAT_TO_DO}"


@pytest.mark.parametrize("content", [
    "consent_id,customer_id\nA,B\n".encode("utf-16"),        # with a byte order mark
    "consent_id,customer_id\nA,B\n".encode("utf-16-le"),     # without
    "consent_id;name\nC1;Åsa\n".encode("utf-16-be"),
])
def test_utf16_text_is_named_with_what_to_do(content):
    message = detect.not_text(content)
    assert message is not None and message.startswith("This file is UTF-16 text") and "CSV UTF-8" in message


@pytest.mark.parametrize("content", [
    b"consent_id,customer_id\nA,B\n", b"\xef\xbb\xbfcustomer_id;name\nC1;\xc3\x85sa\n",
    "customer_id;name\r\nC1;Åsa – AB €\r\n".encode("windows-1252"), b'{"consent_id": "A"}\n', b"",
    b"a\tb\x0cc\n",
])
def test_text_files_pass(content):
    assert detect.not_text(content) is None
