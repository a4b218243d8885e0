"""Built-in circuits by name: `withdraw-<hash>-<depth>`, hash poseidon | mimcsponge, depth 1..32.

Compiling is slow-ish and done once per process (cached); computing a witness uses the
DSL's witness-only mode, which skips building constraints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from circuits.hashers import HASHERS
from circuits.withdraw import withdraw
from mixer.errors import MixerError
from mixer.params import MAX_DEPTH, circuit_name
from mixer.snark.circuit import Circuit, InputValue
from mixer.snark.r1cs import R1CS

COMMON_DEPTHS = (20,)
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

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def r1cs(self) -> R1CS:
        return compile(self.name)

    def witness(self, inputs: Mapping[str, InputValue], /) -> list[int]:
        """The full witness (R1CS wire order); CircuitError if `inputs` violate the circuit."""
        return witness(self.name, inputs)


def load(name: str) -> BuiltinCircuit:
    """The built-in circuit `name` (UnknownCircuitError if there is none)."""
    return BuiltinCircuit(parse(name))


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
