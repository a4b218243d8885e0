"""No under-constrained wire: every change an attacker can make to a valid witness breaks it.

Two checks, both over EVERY wire (none sampled):
- single-wire mutation: change one wire, keep all others; some constraint must fail.
- forced-wire recomputation: change one wire as it is computed and recompute everything
  downstream from it (what an attacker does with an unconstrained output, e.g. circomlib's
  2019 MiMC `=` instead of `<==`); some constraint must still fail. Single-wire mutation
  alone would miss that bug, because the wires downstream of the forged one break instead.
"""

from __future__ import annotations

import random

import pytest
from withdraw_witness import ForgingCircuit, forge_withdraw, note_inputs, sample_note, undetected_mutations

from circuits import registry
from circuits.gadgets.mimc import mimc_sponge
from circuits.gadgets.poseidon import poseidon
from mixer.field import R

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
    from mixer.snark.circuit import Circuit

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
