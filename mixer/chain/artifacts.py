"""The compiled contracts shipped in this package (built by contracts/build.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str


@cache
def load(name: str) -> Artifact:
    """The artifact of contract `name`, e.g. "ETHPool"; KeyError names the missing file."""
    path = resources.files("mixer.chain") / "artifacts" / f"{name}.json"
    if not path.is_file():
        raise KeyError(f"no compiled artifact for contract {name!r}: run python contracts/build.py")
    data = json.loads(path.read_text())
    return Artifact(name, data["abi"], data["bytecode"], data["deployedBytecode"])
