"""The tests' own layout, as docs/architecture.md ("Tests") states it: every test file sits in the
folder of its area, never directly in tests/; every folder is a package (pytest imports
`tests.<area>.test_x`, so equal file names in two areas cannot collide); and the document lists
each folder."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.tools import ROOT

TESTS = ROOT / "tests"
DATA = {"vectors"}
"""Folders of data files, not Python."""


def folders() -> list[Path]:
    """Every folder under tests/ that holds Python files."""
    found = {path.parent for path in TESTS.rglob("*.py")}
    return sorted(
        folder
        for folder in found - {TESTS}
        if not any(part.startswith((".", "__")) or part in DATA for part in folder.relative_to(TESTS).parts)
    )


def test_no_test_file_sits_directly_in_tests() -> None:
    stray = sorted(p.name for pattern in ("test_*.py", "*_test.py") for p in TESTS.glob(pattern))
    assert stray == [], f"move {stray} into the folder of their area, tests/<area>/"


def test_every_test_folder_is_a_package() -> None:
    missing = [str(f.relative_to(ROOT)) for f in [TESTS, *folders()] if not (f / "__init__.py").exists()]
    assert missing == [], f"add an __init__.py to {missing}"


def test_architecture_md_lists_every_test_folder() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("\n## Tests\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `tests/([a-z0-9_]+)/`", section, re.M))
    present = {f.relative_to(TESTS).parts[0] for f in folders()}
    assert listed == present, "docs/architecture.md's Tests table and the folders under tests/ differ"
