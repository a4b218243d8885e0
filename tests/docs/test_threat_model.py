"""docs/threat-model.md names a test for every attack: each named test (and each
parametrisation id it names) must exist, so renaming or deleting a test cannot silently
leave an attack undefended on paper. A test is named by its path from the repository root
(`tests/<area>/test_x.py::test_y`), so moving a test file is caught too."""

from __future__ import annotations

import re

from tests.support.tools import ROOT

REFERENCE = re.compile(r"`((?:[a-z0-9_]+/)*test_[a-z0-9_]+\.py)::(test_[a-z0-9_]+)(?:\[([^\]`]+)\])?`")


def test_every_test_the_threat_model_names_exists() -> None:
    text = (ROOT / "docs" / "threat-model.md").read_text()
    references = REFERENCE.findall(text)
    assert len(references) >= 40
    missing = []
    for file, test, ids in references:
        path = ROOT / file
        source = path.read_text() if path.exists() else ""
        if f"def {test}(" not in source:
            missing.append(f"{file}::{test}")
        missing += [f"{file}::{test}[{i}]" for i in ids.split("/") if ids and f'"{i}"' not in source]
    assert missing == []
