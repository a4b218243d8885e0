"""contracts/build.py --check: the artifacts shipped in the package are exactly what the
pinned solc makes of the sources (and the hashers exactly what mixer.hashes generates), so
`make test` fails on a contract edited without rebuilding."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from tests.support.tools import ROOT, node_tool


def build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("contracts_build", ROOT / "contracts" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_artifacts_match_the_sources(capsys: pytest.CaptureFixture[str]) -> None:
    node_tool("solcjs")
    assert build_script().main(["--check"]) == 0
    assert "build outputs up to date" in capsys.readouterr().out
