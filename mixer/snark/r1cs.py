"""A compiled rank-1 constraint system: sum(A*w) * sum(B*w) = sum(C*w) for each constraint.

Wire layout follows circom/snarkjs so files interoperate: wire 0 is the constant 1, then
the public inputs (in declaration order), then the private inputs, then internal wires.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from mixer.field import R

Terms = Mapping[int, int]
"""A linear combination as {wire index: coefficient}, coefficients canonical in F_r."""

Constraint = tuple[Terms, Terms, Terms]


def evaluate(terms: Terms, witness: Sequence[int]) -> int:
    """Value of a linear combination under `witness`."""
    return sum(c * witness[w] for w, c in terms.items()) % R


@dataclass(frozen=True)
class R1CS:
    """Constraints plus the wire bookkeeping needed to prove, verify and export them."""

    n_wires: int
    n_public: int
    """Number of public inputs, not counting the constant wire 0."""
    n_private_inputs: int
    constraints: tuple[Constraint, ...]
    labels: Mapping[int, str] = field(default_factory=dict)
    """Names of input wires (e.g. `pathElements[3]`), for symbol files and debugging."""

    @property
    def n_constraints(self) -> int:
        return len(self.constraints)

    def unsatisfied(self, witness: Sequence[int]) -> list[int]:
        """Indices of constraints that `witness` violates (empty when it satisfies all)."""
        if len(witness) != self.n_wires:
            raise ValueError(f"witness has {len(witness)} wires, circuit has {self.n_wires}")
        if witness[0] != 1:
            raise ValueError("wire 0 must hold the constant 1")
        return [
            i
            for i, (a, b, c) in enumerate(self.constraints)
            if evaluate(a, witness) * evaluate(b, witness) % R != evaluate(c, witness)
        ]

    def is_satisfied(self, witness: Sequence[int]) -> bool:
        return not self.unsatisfied(witness)

    def digest(self) -> str:
        """Hex SHA-256 identifying this exact constraint system.

        Keys carry it, so a key made for one circuit cannot silently be used with another
        (another depth or hash gives another digest). Computed once per object (~50 ms at
        depth 20): both the CLI and `groth16.prove(..., r1cs=)` check it.
        """
        return self._digest

    @cached_property
    def _digest(self) -> str:
        h = hashlib.sha256()
        h.update(b"mixer-r1cs-v1")
        for n in (self.n_wires, self.n_public, self.n_private_inputs, len(self.constraints)):
            h.update(n.to_bytes(8, "big"))
        for constraint in self.constraints:
            for terms in constraint:
                h.update(len(terms).to_bytes(4, "big"))
                for wire in sorted(terms):
                    h.update(wire.to_bytes(4, "big"))
                    h.update(terms[wire].to_bytes(32, "big"))
        return h.hexdigest()


def known_digest(r1cs: R1CS, digest: str) -> R1CS:
    """`r1cs`, its `digest()` set to `digest` instead of computed: for a cache that stored both
    under one checksum (`mixer.snark.prepared`), which saves ~50 ms per process at depth 20."""
    r1cs.__dict__["_digest"] = digest
    return r1cs
