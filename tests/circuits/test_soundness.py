"""No under-constrained wire: every change an attacker can make to a valid witness breaks it.

Three checks, all over EVERY wire (none sampled):
- single-wire mutation: change one wire, keep all others; some constraint must fail.
- forced-wire recomputation: change one wire as it is computed and recompute everything
  downstream from it (what an attacker does with an unconstrained output, e.g. circomlib's
  2019 MiMC `=` instead of `<==`); some constraint must still fail. Single-wire mutation
  alone would miss that bug, because the wires downstream of the forged one break instead.
- structure: the constraints define every internal wire, in some order, from the inputs
  and earlier wires (`undefined_wires`). The two checks above try a few values per wire;
  this one covers every value of every set of internal wires at once.
"""

from __future__ import annotations

import random
from collections import deque

import pytest

from circuits import registry
from circuits.gadgets.mimc import mimc_sponge
from circuits.gadgets.poseidon import poseidon
from mixer.field import R
from mixer.snark.circuit import Circuit
from mixer.snark.r1cs import R1CS
from tests.support.withdraw_witness import (
    ForgingCircuit,
    forge_withdraw,
    note_inputs,
    sample_note,
    undetected_mutations,
)

DELTAS = (1, R - 1, random.Random(7).randrange(2, R - 1))


@pytest.mark.parametrize("hash_name, depth", [("poseidon", 20), ("mimcsponge", 2)])
def test_every_single_wire_change_breaks_the_withdraw_witness(hash_name: str, depth: int) -> None:
    name = f"withdraw-{hash_name}-{depth}"
    r1cs = registry.compile(name)
    witness = registry.witness(name, note_inputs(sample_note(hash_name, depth, seed=11), hash_name))
    assert r1cs.is_satisfied(witness)
    # public wires included: a witness must not carry over to another statement either
    assert undetected_mutations(r1cs, witness, range(1, r1cs.n_wires), DELTAS) == []


def test_mutation_check_finds_a_planted_unconstrained_wire() -> None:
    """The checker itself can fail: a hint nobody constrains is reported."""
    c = ForgingCircuit({"x": 3})
    x = c.private_input("x")
    c.mul(x, x)
    c.hint(lambda v: v + 1, x)  # the `=` bug: computed, never constrained
    shape = Circuit()
    xs = shape.private_input("x")
    shape.mul(xs, xs)
    shape.hint(lambda v: v + 1, xs)
    r1cs = shape.compile()
    assert undetected_mutations(r1cs, c.witness(), range(1, r1cs.n_wires), DELTAS) == [3]


@pytest.mark.parametrize("hash_name", ["poseidon", "mimcsponge"])
def test_forging_any_wire_and_recomputing_downstream_is_caught(hash_name: str) -> None:
    depth = 1 if hash_name == "mimcsponge" else 2
    inputs = note_inputs(sample_note(hash_name, depth, seed=12), hash_name)
    _, violations, _ = forge_withdraw(inputs, hash_name, depth)
    assert violations == []
    n_wires = registry.compile(f"withdraw-{hash_name}-{depth}").n_wires
    escaped = [w for w in range(1, n_wires) if not forge_withdraw(inputs, hash_name, depth, force=w)[1]]
    # Wire 3 is the public extDataHash: the verifier supplies it, so "forging" it only poses
    # another statement (bound to other payees); the circuit merely has to use it. Every
    # other wire, public root and nullifierHash included, must be pinned by the note.
    assert escaped == [3]


@pytest.mark.parametrize("gadget", ["poseidon", "mimcsponge"])
def test_forging_any_hash_gadget_wire_is_caught_when_the_output_is_pinned(gadget: str) -> None:
    """A hash output pinned to the honest value: no forged internal wire reaches it."""
    inputs = {"a": 5, "b": 7}

    def run(force: int | None) -> list[str]:
        c = ForgingCircuit(inputs, force)
        a, b = c.private_input("a"), c.private_input("b")
        out = poseidon(c, a, b) if gadget == "poseidon" else mimc_sponge(c, a, b)[0]
        expected = c.hint(lambda: honest, label="pin") if force is not None else out
        c.assert_equal(out, expected, "output")
        return c.violations

    honest = 0
    c = ForgingCircuit(inputs)
    a, b = c.private_input("a"), c.private_input("b")
    honest = (poseidon(c, a, b) if gadget == "poseidon" else mimc_sponge(c, a, b)[0]).value or 0
    n_wires = c.n_wires
    assert [w for w in range(3, n_wires) if not run(w)] == []


def undefined_wires(r1cs: R1CS) -> list[int]:
    """The internal wires that no ordering of the constraints defines; [] when all are defined.

    The inputs (wire 0, the public and the private inputs) are given: they are the statement
    and the prover's choice, and constraints on them (pathIndices boolean, the recomputed
    root and nullifier hash equal to the public ones) restrict them rather than define
    them; their own tests are the forging and tampering ones. A constraint A * B = C
    DEFINES wire w when every other wire in it is defined already and w occurs only in C,
    with a nonzero coefficient c_w: then w = (A * B - rest of C) / c_w, one value. (w in A
    or B would allow two roots, as w * w = x does, or none.)

    Defining a wire never spoils another constraint's definition, so propagating from the
    inputs finds an order whenever one exists. With no undefined wire, a satisfying witness
    is a function of its inputs: change any set of internal wires, to any values, and the
    defining constraint of the first changed one (in this order) fails.
    """
    n_inputs = 1 + r1cs.n_public + r1cs.n_private_inputs
    defined = [w < n_inputs for w in range(r1cs.n_wires)]
    pending: list[set[int]] = []  # per constraint, its wires not yet defined
    users: list[list[int]] = [[] for _ in range(r1cs.n_wires)]
    for i, constraint in enumerate(r1cs.constraints):
        wires = {w for terms in constraint for w in terms if not defined[w]}
        pending.append(wires)
        for w in wires:
            users[w].append(i)
    ready = deque(i for i, wires in enumerate(pending) if len(wires) == 1)
    while ready:
        i = ready.popleft()
        if len(pending[i]) != 1:  # its last wire was defined by another constraint meanwhile
            continue
        (w,) = pending[i]
        a, b, c = r1cs.constraints[i]
        if w in a or w in b or c.get(w, 0) % R == 0:
            continue
        defined[w] = True
        for j in users[w]:
            pending[j].discard(w)
            if len(pending[j]) == 1:
                ready.append(j)
    return [w for w in range(r1cs.n_wires) if not defined[w]]


@pytest.mark.parametrize("hash_name, depth", [("poseidon", 20), ("mimcsponge", 2)])
def test_every_internal_wire_is_defined_from_earlier_wires(hash_name: str, depth: int) -> None:
    """Exact, not sampled: no internal wire of the withdrawal circuit can take another value.

    Poseidon's partial rounds fit because only word 0 passes an S-box (three `mul`s, each
    output alone in C); the other words stay linear combinations and are no wires at all.
    MiMC's round output appears with coefficient 1 in C of `t4 * t = w - xR`.
    """
    r1cs = registry.compile(f"withdraw-{hash_name}-{depth}")
    assert r1cs.n_wires > 1 + r1cs.n_public + r1cs.n_private_inputs  # there are internal wires
    assert undefined_wires(r1cs) == []


def test_structure_check_finds_free_two_valued_and_underdetermined_wires() -> None:
    """The checker itself can fail, for each way a wire escapes a definition."""
    c = Circuit()
    x = c.private_input("x")
    c.mul(x, x)  # wire 2: defined
    c.hint(lambda v: v + 1, x)  # wire 3: no constraint at all
    root = c.hint(lambda v: v, x)  # wire 4: root * root = x holds for root and -root
    c.constrain(root, root, x)
    u, v = c.hint(lambda a: a, x), c.hint(lambda a: a, x)  # wires 5, 6: one equation, two unknowns
    c.constrain(c.one(), c.one(), u + v - x)
    assert undefined_wires(c.compile()) == [3, 4, 5, 6]


def test_structure_check_orders_definitions_listed_out_of_order() -> None:
    """Definitions need not come in wire order: here v = u * u is stated before u = x * x."""
    c = Circuit()
    x = c.private_input("x")
    u, v = c.hint(lambda a: a * a, x), c.hint(lambda a: a**4, x)
    c.constrain(u, u, v)
    c.constrain(x, x, u)
    assert undefined_wires(c.compile()) == []
