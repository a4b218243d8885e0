"""The two hash families of the pool as circuit gadgets, mirroring `mixer.hashes.get_hasher`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from circuits.gadgets.mimc import mimc_sponge
from circuits.gadgets.poseidon import poseidon
from mixer.snark.circuit import LC, Circuit


@dataclass(frozen=True)
class CircuitHasher:
    """Tree node, commitment and nullifier hash of one pool hash family (DESIGN.md §3).

    `pair` is H(a, b) (tree node and commitment alike), `single` is H(a) (nullifier hash).
    """

    name: str
    pair: Callable[[Circuit, LC, LC], LC]
    single: Callable[[Circuit, LC], LC]

    def node(self, c: Circuit, left: LC, right: LC) -> LC:
        return self.pair(c, left, right)

    def commitment(self, c: Circuit, nullifier: LC, secret: LC) -> LC:
        return self.pair(c, nullifier, secret)

    def nullifier_hash(self, c: Circuit, nullifier: LC) -> LC:
        return self.single(c, nullifier)


def _mimc(c: Circuit, *xs: LC) -> LC:
    # Tornado's hashLeftRight and multiHash are MiMCSponge(n, 220, 1) with key 0.
    return mimc_sponge(c, *xs)[0]


HASHERS: dict[str, CircuitHasher] = {
    "poseidon": CircuitHasher("poseidon", poseidon, poseidon),
    "mimcsponge": CircuitHasher("mimcsponge", _mimc, _mimc),
}


def circuit_hasher(name: str) -> CircuitHasher:
    """The gadget hasher called `name` (poseidon | mimcsponge); ValueError otherwise."""
    try:
        return HASHERS[name]
    except KeyError:
        raise ValueError(f"unknown hash '{name}' (expected one of: {', '.join(HASHERS)})") from None
