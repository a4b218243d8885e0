"""Names and limits that several layers share, each defined once (DESIGN.md §3-§5).

Standard library only, so every layer (hashes, circuits, chain, command line) can import it.
"""

from __future__ import annotations

from typing import Final

HASH_FAMILIES: Final = ("poseidon", "mimcsponge")
"""The pool hash families, in the order commands list them."""

MAX_DEPTH: Final = 32
"""The deepest tree a pool, a circuit and a note's pool may have (leaf indices are uint32)."""

DEFAULT_DEPTH: Final = 20

ZERO_ADDRESS: Final = "0x0000000000000000000000000000000000000000"


def circuit_name(hash_name: str, depth: int) -> str:
    """The built-in withdrawal circuit's name for a pool: `withdraw-<hash>-<depth>`."""
    return f"withdraw-{hash_name}-{depth}"
