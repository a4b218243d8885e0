"""The withdrawal data path (mixer.withdrawal): note + synced tree + payment -> circuit inputs ->
witness -> 296-byte record, checked against the circuit's R1CS and the record layout."""

from __future__ import annotations

import random

import pytest

from circuits import registry
from mixer.chain.record import RECORD_SIZE, WithdrawalRecord
from mixer.extdata import ExtData
from mixer.hashes import get_hasher
from mixer.merkle import MerkleTree, verify_path
from mixer.note import Note, Pool
from mixer.snark.proof import Proof
from mixer.withdrawal import WithdrawalError, make_record, plan_withdrawal, witness

DEPTH = 4
POOL_ADDRESS = "0x" + "ab" * 20


def note_in_tree(hash_name: str, seed: int) -> tuple[Note, MerkleTree]:
    rng = random.Random(seed)
    note = Note(Pool(hash_name, "eth", "0.1", 1337, POOL_ADDRESS), rng.getrandbits(248), rng.getrandbits(248))
    tree = MerkleTree(DEPTH, hash_name)
    tree.insert_many(rng.getrandbits(250) for _ in range(5))
    tree.insert(get_hasher(hash_name).commitment(note.nullifier, note.secret))
    tree.insert_many(rng.getrandbits(250) for _ in range(3))
    return note, tree


EXT = ExtData("0x" + "12" * 20, "0x" + "34" * 20, fee=10**15, refund=7)


@pytest.mark.parametrize("hash_name", ["poseidon", "mimcsponge"])
def test_plan_gives_a_satisfying_witness_with_the_pools_public_values(hash_name: str) -> None:
    note, tree = note_in_tree(hash_name, seed=1)
    plan = plan_withdrawal(note, tree, EXT)
    assert plan.circuit == f"withdraw-{hash_name}-{DEPTH}" and plan.leaf_index == 5
    hasher = get_hasher(hash_name)
    assert plan.public_signals == [tree.root, hasher.nullifier_hash(note.nullifier), EXT.hash()]
    assert registry.public_signals(plan.circuit, plan.inputs) == plan.public_signals
    r1cs = registry.compile(plan.circuit)
    assert r1cs.is_satisfied(witness(plan, registry.load(plan.circuit)))
    elements = [int(e) for e in plan.inputs["pathElements"]]  # type: ignore[union-attr]
    indices = [int(i) for i in plan.inputs["pathIndices"]]  # type: ignore[union-attr]
    leaf = hasher.commitment(note.nullifier, note.secret)
    assert verify_path(tree.root, leaf, elements, indices, hash_name)
    assert indices == [1, 0, 1, 0]  # leaf 5, least significant bit first


def test_note_missing_from_the_tree_is_rejected() -> None:
    note, _ = note_in_tree("poseidon", seed=2)
    other = MerkleTree(DEPTH, "poseidon")
    other.insert(12345)
    with pytest.raises(WithdrawalError, match="not in the pool's tree"):
        plan_withdrawal(note, other, EXT)


def test_note_of_another_hash_family_is_rejected() -> None:
    note, _ = note_in_tree("poseidon", seed=3)
    with pytest.raises(WithdrawalError, match="poseidon pool but the tree uses mimcsponge"):
        plan_withdrawal(note, MerkleTree(DEPTH, "mimcsponge"), EXT)


def test_record_carries_the_plan_at_the_design_offsets() -> None:
    note, tree = note_in_tree("poseidon", seed=4)
    plan = plan_withdrawal(note, tree, EXT)
    proof = Proof(a=(1, 2), b=((3, 4), (5, 6)), c=(7, 8))
    raw = make_record(plan, proof, root_index=42, recipient_id=9).encode()
    assert len(raw) == RECORD_SIZE
    assert raw[0:4] == (42).to_bytes(4, "big")
    assert raw[4:36] == plan.nullifier_hash.to_bytes(32, "big")
    assert raw[36:40] == (9).to_bytes(4, "big")
    # EIP-197: G2 imaginary part first
    assert [int.from_bytes(raw[40 + 32 * i : 72 + 32 * i], "big") for i in range(8)] == [
        1,
        2,
        4,
        3,
        6,
        5,
        7,
        8,
    ]
    assert WithdrawalRecord.decode(raw).proof.b == ((3, 4), (5, 6))


def test_record_refuses_a_proof_point_at_infinity() -> None:
    note, tree = note_in_tree("poseidon", seed=5)
    plan = plan_withdrawal(note, tree, EXT)
    with pytest.raises(WithdrawalError, match="infinity"):
        make_record(plan, Proof(a=None, b=((3, 4), (5, 6)), c=(7, 8)), root_index=0, recipient_id=0)
