"""The compiled contracts shipped in this package (built by contracts/build.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

WORD = 32


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    immutables: dict[str, tuple[int, ...]]
    """Immutable name -> offsets of its 32-byte slots in the deployed code (zeros in
    `deployed_bytecode`; the constructor fills them in)."""

    def immutable_values(self, code: bytes) -> dict[str, int] | None:
        """The immutables of `code` if it is this contract's deployed code, else None.

        Code is ours when it equals our deployed bytecode outside the immutable slots and
        every slot of one immutable holds the same value: code that reads two different
        values for one variable was not made by our constructor."""
        expected = bytes.fromhex(self.deployed_bytecode.removeprefix("0x"))
        if len(code) != len(expected):
            return None
        masked = bytearray(code)
        values: dict[str, int] = {}
        for name, offsets in self.immutables.items():
            found = {bytes(code[o : o + WORD]) for o in offsets}
            if len(found) != 1:
                return None
            values[name] = int.from_bytes(found.pop(), "big")
            for o in offsets:
                masked[o : o + WORD] = bytes(WORD)
        return values if bytes(masked) == expected else None


@cache
def load(name: str) -> Artifact:
    """The artifact of contract `name`, e.g. "ETHPool"; KeyError names the missing file."""
    path = resources.files("mixer.chain") / "artifacts" / f"{name}.json"
    if not path.is_file():
        raise KeyError(f"no compiled artifact for contract {name!r}: run python contracts/build.py")
    data = json.loads(path.read_text())
    immutables = {k: tuple(v) for k, v in data["immutables"].items()}
    return Artifact(name, data["abi"], data["bytecode"], data["deployedBytecode"], immutables)
