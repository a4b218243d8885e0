"""The two hash families a pool can use, as the three functions the protocol needs.

DESIGN.md §3: a pool hashes tree nodes, commitments and nullifier hashes with one family.
For MiMCSponge, node = Tornado's `hashLeftRight` = multiHash([left, right]), which is the
same function as the commitment; Poseidon pools use Poseidon(2) and Poseidon(1) likewise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eth_hash.auto import keccak

from mixer.field import R
from mixer.hashes.mimc import mimc_sponge
from mixer.hashes.poseidon import compiled, poseidon

ZERO_LEAF = int.from_bytes(keccak(b"tornado"), "big") % R
"""The empty-leaf value, keccak256("tornado") mod r, shared with Tornado Cash."""


@dataclass(frozen=True)
class PoolHasher:
    """One hash family: `pair` is H(a, b), `single` is H(a); both check their inputs."""

    name: str
    pair: Callable[[int, int], int]
    single: Callable[[int], int]
    fast_pair: Callable[[int, int], int]
    """H(a, b) without input checks, for trees whose nodes are already field elements."""

    def node(self, left: int, right: int) -> int:
        return self.pair(left, right)

    def commitment(self, nullifier: int, secret: int) -> int:
        return self.pair(nullifier, secret)

    def nullifier_hash(self, nullifier: int) -> int:
        return self.single(nullifier)


HASHERS: dict[str, PoolHasher] = {
    "poseidon": PoolHasher("poseidon", poseidon, poseidon, compiled(2)),
    "mimcsponge": PoolHasher("mimcsponge", mimc_sponge, mimc_sponge, mimc_sponge),
}


def get_hasher(name: str) -> PoolHasher:
    """The hash family called `name` (poseidon | mimcsponge); ValueError otherwise."""
    try:
        return HASHERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown hash {name!r} (expected one of: {', '.join(HASHERS)})") from None
