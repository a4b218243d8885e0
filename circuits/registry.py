"""Built-in circuits by name: `withdraw-<hash>-<depth>`, hash poseidon | mimcsponge, depth 1..32.

Compiling is slow-ish (~0.3 s at depth 20) and done once per process (cached), and once per
version of the code with a prover cache (`load(name, cache=...)`, `mixer.snark.cache`: its
entries are bound to `SOURCES`' digest); computing a witness uses the DSL's witness-only
mode, which skips building constraints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from circuits.hashers import HASHERS
from circuits.withdraw import withdraw
from mixer.errors import MixerError
from mixer.params import MAX_DEPTH, circuit_name
from mixer.snark.circuit import Circuit, InputValue
from mixer.snark.r1cs import R1CS

if TYPE_CHECKING:
    from mixer.snark.cache import ProverCache

COMMON_DEPTHS = (20,)
SOURCES: Final = (
    "circuits.*",
    "mixer",
    "mixer.errors",
    "mixer.params",
    "mixer.field",
    "mixer.fastint",
    "mixer.hashes.*",
    "mixer.snark.circuit",
    "mixer.snark.r1cs",
)
"""The code a compiled circuit and its witnesses come from (`mixer.snark.cache.source_digest`;
`tests/snark/test_prover_cache.py` checks that compiling and proving load nothing else of ours)."""
_NAME = re.compile(r"withdraw-([a-z]+)-([1-9][0-9]?)")


class UnknownCircuitError(MixerError, ValueError):
    """The name does not denote a built-in circuit."""


@dataclass(frozen=True)
class CircuitSpec:
    hash_name: str
    depth: int

    @property
    def name(self) -> str:
        return circuit_name(self.hash_name, self.depth)


@dataclass(frozen=True)
class BuiltinCircuit:
    """A built-in circuit, compiled on first use: what `mixer.withdrawal` proves with
    (it implements `mixer.withdrawal.WithdrawalCircuit`)."""

    spec: CircuitSpec
    cache: ProverCache | None = field(default=None, compare=False)
    """Where `r1cs` keeps the compiled circuit between processes (None: this process only)."""

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def source_digest(self) -> str:
        """Digest of the code that builds the circuit: what its cache entries are bound to."""
        from mixer.snark.cache import source_digest  # the cache's code, loaded only if it is used

        return source_digest(SOURCES)

    @property
    def r1cs(self) -> R1CS:
        return self.compile() if self.cache is None else self.cache.r1cs(self)

    def compile(self) -> R1CS:
        """The circuit compiled by this process (once), without the prover cache."""
        return compile(self.name)

    def witness(self, inputs: Mapping[str, InputValue], /) -> list[int]:
        """The full witness (R1CS wire order); CircuitError if `inputs` violate the circuit."""
        return witness(self.name, inputs)


def load(name: str, *, cache: ProverCache | None = None) -> BuiltinCircuit:
    """The built-in circuit `name` (UnknownCircuitError if there is none), compiled through
    `cache` when one is given."""
    return BuiltinCircuit(parse(name), cache)


def names() -> list[str]:
    """The commonly used circuit names (every depth 1..32 is accepted by `parse`)."""
    return [CircuitSpec(h, d).name for h in HASHERS for d in COMMON_DEPTHS]


def parse(name: str) -> CircuitSpec:
    """The hash and depth a circuit name denotes; UnknownCircuitError if it denotes none."""
    match = _NAME.fullmatch(name) if isinstance(name, str) else None
    if match is None or match[1] not in HASHERS or not 1 <= int(match[2]) <= MAX_DEPTH:
        raise UnknownCircuitError(
            f"unknown circuit {name!r}: expected withdraw-<{'|'.join(HASHERS)}>-<depth 1..{MAX_DEPTH}>"
        )
    return CircuitSpec(match[1], int(match[2]))


@lru_cache(maxsize=16)
def compile(name: str) -> R1CS:
    """The R1CS of circuit `name` (cached per process)."""
    spec = parse(name)
    c = Circuit()
    withdraw(c, spec.depth, spec.hash_name)
    return c.compile()


def _witness_circuit(name: str, inputs: Mapping[str, InputValue]) -> Circuit:
    spec = parse(name)
    c = Circuit(inputs, build_constraints=False)
    withdraw(c, spec.depth, spec.hash_name)
    return c


def witness(name: str, inputs: Mapping[str, InputValue]) -> list[int]:
    """The full witness (R1CS wire order) for `inputs`; CircuitError if they violate the circuit."""
    return _witness_circuit(name, inputs).witness()


def public_signals(name: str, inputs: Mapping[str, InputValue]) -> list[int]:
    """The public inputs [root, nullifierHash, extDataHash], after checking the whole witness."""
    c = _witness_circuit(name, inputs)
    c.witness()
    return c.public_values
