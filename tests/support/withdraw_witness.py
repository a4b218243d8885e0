"""Helpers for the circuit tests: sample withdrawal inputs, forged witnesses, mutation checks."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from circuits.withdraw import WithdrawWires, withdraw
from mixer.extdata import ExtData
from mixer.field import R
from mixer.hashes import get_hasher
from mixer.snark.circuit import LC, Circuit, CircuitError, InputValue
from mixer.snark.r1cs import R1CS
from mixer.withdrawal import withdraw_inputs


@dataclass(frozen=True)
class Note:
    nullifier: int
    secret: int
    path_elements: list[int]
    path_indices: list[int]
    root: int
    ext_data_hash: int


def sample_note(hash_name: str, depth: int, seed: int) -> Note:
    """A note with a random sibling path; the root is folded here with mixer.hashes."""
    rng = random.Random(seed)
    hasher = get_hasher(hash_name)
    nullifier, secret = rng.getrandbits(248), rng.getrandbits(248)
    elements = [rng.randrange(R) for _ in range(depth)]
    indices = [rng.getrandbits(1) for _ in range(depth)]
    node = hasher.commitment(nullifier, secret)
    for element, index in zip(elements, indices, strict=True):
        node = hasher.node(element, node) if index else hasher.node(node, element)
    recipient = "0x" + rng.getrandbits(160).to_bytes(20, "big").hex()
    return Note(
        nullifier, secret, elements, indices, node, ExtData(recipient, fee=rng.randrange(10**18)).hash()
    )


def note_inputs(note: Note, hash_name: str) -> dict[str, InputValue]:
    return withdraw_inputs(
        note.nullifier,
        note.secret,
        note.path_elements,
        note.path_indices,
        note.root,
        note.ext_data_hash,
        hash_name=hash_name,
    )


class ForgingCircuit(Circuit):
    """Witness-only circuit for attacks: records violated constraints instead of raising,
    and can add `delta` to wire number `force` (in allocation order) as it is created, so
    every later wire is recomputed from the forged value (an attacker's best effort)."""

    def __init__(self, inputs: Mapping[str, InputValue], force: int | None = None, delta: int = 1) -> None:
        super().__init__(inputs, build_constraints=False)
        self.violations: list[str] = []
        self._force, self._delta = force, delta

    def _new_wire(self, kind: int, value: int | None, label: str | None) -> LC:
        if len(self._kinds) == self._force and value is not None:
            value = (value + self._delta) % R
        return super()._new_wire(kind, value, label)

    def constrain(self, a: LC, b: LC, c: LC, label: str | None = None) -> None:
        try:
            super().constrain(a, b, c, label)
        except CircuitError:
            self.violations.append(label or "unlabelled")

    @property
    def n_wires(self) -> int:
        return len(self._kinds)


def forge_withdraw(
    inputs: Mapping[str, InputValue], hash_name: str, depth: int, force: int | None = None
) -> tuple[list[int], list[str], WithdrawWires]:
    """A witness computed whatever the constraints say, with the constraints it violates."""
    c = ForgingCircuit(inputs, force)
    wires = withdraw(c, depth, hash_name)
    return c.witness(), c.violations, wires


def undetected_mutations(
    r1cs: R1CS, witness: Sequence[int], wires: range, deltas: Sequence[int]
) -> list[int]:
    """Wires whose value can change alone (by any of `deltas`) with every constraint still holding.

    Evaluates each constraint once, then checks a change of one wire in O(1) per constraint
    it occurs in, so whole circuits are checked in about the time of one satisfiability check.
    """
    values = []
    touching: dict[int, list[int]] = {}
    for i, (a, b, c) in enumerate(r1cs.constraints):
        values.append(tuple(sum(k * witness[w] for w, k in t.items()) % R for t in (a, b, c)))
        for w in {*a, *b, *c}:
            touching.setdefault(w, []).append(i)
    missed = []
    for wire in wires:
        for delta in deltas:
            caught = False
            for i in touching.get(wire, []):
                a, b, c = r1cs.constraints[i]
                va, vb, vc = values[i]
                va = (va + a.get(wire, 0) * delta) % R
                vb = (vb + b.get(wire, 0) * delta) % R
                vc = (vc + c.get(wire, 0) * delta) % R
                if va * vb % R != vc:
                    caught = True
                    break
            if not caught:
                missed.append(wire)
                break
    return missed
