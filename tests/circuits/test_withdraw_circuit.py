"""The withdrawal circuit: its layout, its witness, and each way a forged withdrawal is caught."""

from __future__ import annotations

import re

import pytest

from circuits import registry
from circuits.withdraw import withdraw
from mixer.field import R
from mixer.hashes import get_hasher
from mixer.merkle import MerkleTree
from mixer.snark.circuit import Circuit, CircuitError
from mixer.withdrawal import withdraw_inputs
from tests.support.withdraw_witness import forge_withdraw, note_inputs, sample_note

HASHES = ["poseidon", "mimcsponge"]
DEPTH = 4


def assert_caught(inputs: dict[str, str | list[str]], hash_name: str, constraint: str) -> None:
    """The witness builder refuses `inputs` naming `constraint`, and a forger who fills every
    wire anyway violates exactly that constraint."""
    name = f"withdraw-{hash_name}-{DEPTH}"
    with pytest.raises(CircuitError, match=re.escape(constraint)):
        registry.witness(name, inputs)
    witness, violations, _ = forge_withdraw(inputs, hash_name, DEPTH)
    assert violations == [constraint]
    assert len(registry.compile(name).unsatisfied(witness)) == 1


@pytest.mark.parametrize("hash_name", HASHES)
def test_public_inputs_come_first_in_declared_order(hash_name: str) -> None:
    r1cs = registry.compile(f"withdraw-{hash_name}-{DEPTH}")
    assert r1cs.n_public == 3
    assert r1cs.n_private_inputs == 2 + 2 * DEPTH
    names = [r1cs.labels[w] for w in range(1, 1 + 3 + 2 + 2 * DEPTH)]
    assert names == [
        "root",
        "nullifierHash",
        "extDataHash",
        "nullifier",
        "secret",
        *(f"pathElements[{i}]" for i in range(DEPTH)),
        *(f"pathIndices[{i}]" for i in range(DEPTH)),
    ]


@pytest.mark.parametrize("hash_name", HASHES)
def test_valid_note_gives_satisfying_witness_in_every_mode(hash_name: str) -> None:
    note = sample_note(hash_name, DEPTH, seed=1)
    inputs = note_inputs(note, hash_name)
    name = f"withdraw-{hash_name}-{DEPTH}"
    full = Circuit(inputs)
    withdraw(full, DEPTH, hash_name)
    r1cs, witness = registry.compile(name), registry.witness(name, inputs)
    assert full.compile().digest() == r1cs.digest()
    assert full.witness() == witness
    assert r1cs.is_satisfied(witness)
    nullifier_hash = get_hasher(hash_name).nullifier_hash(note.nullifier)
    assert registry.public_signals(name, inputs) == [note.root, nullifier_hash, note.ext_data_hash]
    assert witness[1:4] == [note.root, nullifier_hash, note.ext_data_hash]


@pytest.mark.parametrize("hash_name", HASHES)
def test_each_gadget_output_is_rederived_from_its_inputs(hash_name: str) -> None:
    note = sample_note(hash_name, DEPTH, seed=2)
    c = Circuit(note_inputs(note, hash_name))
    wires = withdraw(c, DEPTH, hash_name)
    ref = get_hasher(hash_name)
    assert wires.commitment.value == ref.commitment(note.nullifier, note.secret)
    assert wires.computed_nullifier_hash.value == ref.nullifier_hash(note.nullifier)
    below = wires.commitment.value
    for level, element, index in zip(wires.levels, note.path_elements, note.path_indices, strict=True):
        assert level.value == (ref.node(element, below) if index else ref.node(below, element))
        below = level.value
    assert below == note.root
    assert c.compile().is_satisfied(c.witness())


def test_circuit_root_equals_mixer_merkle_tree_root() -> None:
    for hash_name in HASHES:
        ref = get_hasher(hash_name)
        tree = MerkleTree(DEPTH, hash_name)
        for leaf in range(5):
            tree.insert(ref.commitment(leaf + 1, leaf + 2))
        elements, indices = tree.path(3)
        inputs = withdraw_inputs(4, 5, elements, indices, tree.root, 7, hash_name=hash_name)
        assert registry.public_signals(f"withdraw-{hash_name}-{DEPTH}", inputs)[0] == tree.root


@pytest.mark.parametrize("hash_name", HASHES)
def test_non_boolean_path_index_is_caught_even_with_downstream_recomputed(hash_name: str) -> None:
    note = sample_note(hash_name, DEPTH, seed=3)
    inputs = note_inputs(note, hash_name)
    inputs["pathIndices"] = ["2", *inputs["pathIndices"][1:]]
    # The attacker's best effort: the root the blended "swap" leads to, every wire consistent.
    _, _, wires = forge_withdraw(inputs, hash_name, DEPTH)
    inputs["root"] = str(wires.levels[-1].value)
    assert_caught(inputs, hash_name, "pathIndices[0] in {0,1}")


@pytest.mark.parametrize("hash_name", HASHES)
def test_leaf_not_in_tree_is_caught(hash_name: str) -> None:
    note = sample_note(hash_name, DEPTH, seed=4)
    inputs = note_inputs(note, hash_name)
    inputs["secret"] = str(note.secret + 1)
    assert_caught(inputs, hash_name, "Merkle path reaches root")


@pytest.mark.parametrize("hash_name", HASHES)
def test_wrong_nullifier_hash_is_caught(hash_name: str) -> None:
    note = sample_note(hash_name, DEPTH, seed=5)
    inputs = note_inputs(note, hash_name)
    # the other family's hash of the same nullifier: a plausible value, not an off-by-one
    other = "mimcsponge" if hash_name == "poseidon" else "poseidon"
    inputs["nullifierHash"] = str(get_hasher(other).nullifier_hash(note.nullifier))
    assert_caught(inputs, hash_name, "nullifierHash == H(nullifier)")


@pytest.mark.parametrize("hash_name", HASHES)
def test_witness_for_one_ext_data_hash_does_not_satisfy_another(hash_name: str) -> None:
    """Any extDataHash is a valid statement (the withdrawer picks it); what must fail is
    reusing a witness for a changed one. (The square does not tell x from -x, which needs no
    guard: a proof is still tied to the value it was made for, see docs/circuits.md.)"""
    note = sample_note(hash_name, DEPTH, seed=6)
    name = f"withdraw-{hash_name}-{DEPTH}"
    witness = registry.witness(name, note_inputs(note, hash_name))
    r1cs = registry.compile(name)
    assert r1cs.labels[3] == "extDataHash"
    for changed in (note.ext_data_hash + 1, note.ext_data_hash ^ (1 << 200), 0):
        forged = list(witness)
        forged[3] = changed % R
        assert r1cs.unsatisfied(forged), changed


def test_withdraw_inputs_rejects_out_of_field_values() -> None:
    with pytest.raises(CircuitError, match=r"\[0, r\)"):
        withdraw_inputs(R, 1, [0], [0], 0, 0, hash_name="poseidon")
    with pytest.raises(CircuitError, match="same length"):
        withdraw_inputs(1, 1, [0, 0], [0], 0, 0, hash_name="poseidon")


def test_inputs_for_another_depth_are_rejected() -> None:
    inputs = note_inputs(sample_note("poseidon", 3, seed=7), "poseidon")
    with pytest.raises(CircuitError, match="more than 3"):
        registry.witness("withdraw-poseidon-4", inputs)


@pytest.mark.parametrize(
    "name",
    [
        "withdraw-poseidon-0",
        "withdraw-poseidon-33",
        "withdraw-sha256-20",
        "withdraw-poseidon-020",
        "deposit-poseidon-20",
        "withdraw-poseidon-20 ",
    ],
)
def test_unknown_circuit_names_are_clear_errors(name: str) -> None:
    with pytest.raises(registry.UnknownCircuitError, match="unknown circuit"):
        registry.compile(name)


def test_registry_names_parse_and_differ_in_digest() -> None:
    assert registry.names() == ["withdraw-poseidon-20", "withdraw-mimcsponge-20"]
    for name in registry.names():
        assert registry.parse(name).name == name
    assert registry.parse("withdraw-mimcsponge-32").depth == 32
    digests = {registry.compile(f"withdraw-{h}-{d}").digest() for h in HASHES for d in (1, 2)}
    assert len(digests) == 4
