"""CSV injection: privacyops.exports.neutralise_cell (no database)."""

import pytest

from privacyops import exports


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+46 8 123", "'+46 8 123"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tTAB", "'\tTAB"),
    ("\rCR", "'\rCR"),
    ("SE", "SE"),
    ("a=b", "a=b"),
    (" =x", " =x"),
    ("", ""),
    ("'already", "'already"),
])
def test_neutralise_cell(cell, safe):
    assert exports.neutralise_cell(cell) == safe


def test_the_sql_pattern_covers_the_same_triggers():
    """The RE2 class used in SQL names exactly FORMULA_TRIGGERS."""
    assert exports._TRIGGER_PATTERN == r"^[=+@\t\r-]"
    assert set(exports.FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}


def test_formats():
    assert set(exports.FORMATS) == {"csv", "parquet"}
    assert exports.FORMATS["csv"].mime == "text/csv"
