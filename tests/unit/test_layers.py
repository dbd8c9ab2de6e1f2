"""The house keeps its shape: every import points down the layers of docs/architecture.md.

rules (pure) <- store <- cases <- importing / explorer / demo <- the command line; ui <- pages on top.
clock reads the environment and the wall clock: anything but rules may use it. Nothing in privacyops
knows Streamlit, ui or pages. A lower layer importing a higher one fails here, naming the line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What each part of the code may import of ours (besides itself).
ALLOWED: dict[str, set[str]] = {
    "privacyops": set(),            # the package's own __init__, and any module not placed below: nothing
    "privacyops.rules": set(),
    "privacyops.clock": set(),
    "privacyops.charts": {"privacyops.rules"},
    "privacyops.store": {"privacyops.rules", "privacyops.clock"},
    "privacyops.cases": {"privacyops.rules", "privacyops.clock", "privacyops.store"},
    "privacyops.importing": {"privacyops.rules", "privacyops.clock", "privacyops.store", "privacyops.cases"},
    "privacyops.explorer": {"privacyops.rules", "privacyops.clock", "privacyops.store", "privacyops.cases"},
    "privacyops.demo": {"privacyops.rules", "privacyops.clock", "privacyops.store", "privacyops.cases"},
    "privacyops.report": {"privacyops.rules", "privacyops.clock", "privacyops.store", "privacyops.cases",
                          "privacyops.charts"},
    "privacyops.__main__": {"privacyops"},
    "ui": {"privacyops", "ui"},
    "pages": {"privacyops", "ui"},
    "app": {"privacyops", "ui"},
    "server": {"privacyops", "ui"},
}
UI_ONLY = ("streamlit", "ui", "pages")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def part_of(module: str) -> str:
    """The layer a module belongs to: the longest key of ALLOWED it falls under."""
    matches = [key for key in ALLOWED if module == key or module.startswith(key + ".")]
    if not matches:
        raise AssertionError(f"{module} belongs to no layer: add it to ALLOWED in this test and to the map "
                             "in docs/architecture.md")
    return max(matches, key=len)


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            # "from privacyops import clock" names the module clock, not the package
            found += [(node.lineno, n) for n in names] if node.module == "privacyops" else [(node.lineno, node.module)]
    return found


def sources() -> list[Path]:
    files = [*sorted((ROOT / "privacyops").rglob("*.py")), *sorted((ROOT / "ui").glob("*.py")),
             *sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]
    # migration steps are loaded by file path (their names start with a digit); they sit in the store layer
    return [f for f in files if "__pycache__" not in f.parts]


def layer_of_file(path: Path) -> str:
    if "migrations" in path.parts:
        return "privacyops.store"
    return part_of(module_name(path))


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_the_layers(path: Path) -> None:
    layer = layer_of_file(path)
    allowed = ALLOWED[layer] | {layer}
    wrong = []
    for line, target in imports_of(path):
        if layer.startswith("privacyops") and target.split(".")[0] in UI_ONLY:
            wrong.append(f"line {line}: {target} (privacyops knows no UI)")
            continue
        if not (target.startswith("privacyops") or target.split(".")[0] in ("ui", "pages", "app")):
            continue   # a third-party or standard module
        if target == "privacyops" or any(target == a or target.startswith(a + ".") for a in allowed):
            continue
        wrong.append(f"line {line}: {target}")
    assert not wrong, f"{path.relative_to(ROOT)} ({layer}) imports above its layer: " + "; ".join(wrong)


def test_the_check_itself_catches_an_upward_import(tmp_path: Path) -> None:
    """A rule that imports the store must be caught (the check can fail)."""
    bad = tmp_path / "bad.py"
    bad.write_text("from privacyops.store import Store\nimport streamlit as st\n", "utf-8")
    assert [t for _, t in imports_of(bad)] == ["privacyops.store", "streamlit"]
    assert "privacyops.store" not in ALLOWED["privacyops.rules"]
