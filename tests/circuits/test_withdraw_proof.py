"""The full-size withdrawal statement (depth 20, both hashes) through the whole engine:
dev setup, witness from a note in a real tree, proof, verification, and snarkjs's own check
of the exported constraint system and witness."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from circuits import registry
from mixer.extdata import ExtData
from mixer.field import R
from mixer.hashes import get_hasher
from mixer.merkle import MerkleTree
from mixer.snark import groth16, iden3
from mixer.snark.circuit import InputValue
from mixer.snark.groth16 import DevSetupWarning
from mixer.withdrawal import withdraw_inputs
from tests.support.snarkjs_cli import snarkjs

DEPTH = 20


def depth20_inputs(hash_name: str) -> dict[str, InputValue]:
    """A note deposited as leaf 5 of a depth-20 tree, withdrawn to a fixed recipient with a fee."""
    hasher = get_hasher(hash_name)
    tree = MerkleTree(depth=DEPTH, hasher=hash_name)
    tree.insert_many(range(1, 6))
    nullifier, secret = 2**247 + 11, 2**247 + 13
    index = tree.insert(hasher.commitment(nullifier, secret))
    elements, indices = tree.path(index)
    ext = ExtData("0x" + "ab" * 20, fee=10**16)
    return withdraw_inputs(nullifier, secret, elements, indices, tree.root, ext.hash(), hash_name=hash_name)


@pytest.mark.parametrize("hash_name", ["poseidon", "mimcsponge"])
def test_depth20_withdrawal_proves_and_verifies(hash_name: str, tmp_path: Path) -> None:
    name = f"withdraw-{hash_name}-{DEPTH}"
    inputs = depth20_inputs(hash_name)
    r1cs = registry.compile(name)
    witness = registry.witness(name, inputs)
    public = registry.public_signals(name, inputs)
    assert r1cs.is_satisfied(witness)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevSetupWarning)
        pk = groth16.setup(r1cs, seed=20)
    proof = groth16.prove(pk, witness)
    assert groth16.verify(pk.vk, public, proof)
    # The same proof for another nullifierHash (a second spend) or another recipient: rejected.
    assert not groth16.verify(pk.vk, [public[0], (public[1] + 1) % R, public[2]], proof)
    assert not groth16.verify(pk.vk, [public[0], public[1], (public[2] + 1) % R], proof)

    (tmp_path / "w.r1cs").write_bytes(iden3.write_r1cs(r1cs))
    (tmp_path / "w.wtns").write_bytes(iden3.write_wtns(witness))
    proc = snarkjs("wtns", "check", "w.r1cs", "w.wtns", cwd=tmp_path)
    assert proc.returncode == 0 and "WITNESS IS CORRECT" in proc.stdout, proc.stdout + proc.stderr
