"""CSV injection: privacyops.cases.exports.neutralise_cell (no database)."""

import pytest

from privacyops.cases import exports


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+46 8 123", "'+46 8 123"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tTAB", "'\tTAB"),
    ("\rCR", "'\rCR"),
    ("SE", "SE"),
    ("a=b", "a=b"),
    # LibreOffice's "trim spaces" import option turns " =x" into a formula
    (" =x", "' =x"),
    ("", ""),
    ("'already", "'already"),
    # After a separator-looking character: what a spreadsheet splitting on it would see as a cell's start
    ("Acme;=1+1", "Acme;'=1+1"),
    ("v1;=1+1", "v1;'=1+1"),
    ("a,-b;+c|@d", "a,'-b;'+c|'@d"),
    ("a; \t =1", "a; \t '=1"),
    ('x"=1', 'x"\'=1'),
    ("line\n=1", "line\n'=1"),
    ("\t=1", "'\t'=1"),
    ("a - b", "a - b"),
    ("2025-01-01", "2025-01-01"),
    ("anna@example.com", "anna@example.com"),
])
def test_neutralise_cell(cell, safe):
    assert exports.neutralise_cell(cell) == safe


@pytest.mark.parametrize("cell", ["Acme;=1+1", " =x", "\t=1", "a; \t =1", 'x"=1', "a,-b;+c|@d", "\r\n=x", "plain",
                                  "", "'=1", "=a;=b,=c"])
def test_the_sql_rule_is_the_python_rule(cell):
    import duckdb

    with duckdb.connect() as con:
        got = con.execute(f"SELECT {exports.neutralised_sql('$cell')}", {"cell": cell}).fetchone()[0]
    assert got == exports.neutralise_cell(cell)


@pytest.mark.parametrize("cell", ["Acme;=1+1", "=a;=b,=c|=d", "x;\t\r =1", 'q"=1', "n\n@x", " -1", "+46"])
@pytest.mark.parametrize("separator", [",", ";", "|", "\t", "\n", '"', "\r"])
def test_no_piece_after_a_split_starts_like_a_formula(cell, separator):
    """However a spreadsheet splits the cell (any separator), and trims spaces, no piece starts a formula."""
    for piece in exports.neutralise_cell(cell).split(separator):
        assert not piece.strip(" \t\r").startswith(("=", "+", "-", "@")), (cell, separator, piece)


def test_formats():
    assert set(exports.FORMATS) == {"csv", "parquet"}
    assert exports.FORMATS["csv"].mime == "text/csv"
