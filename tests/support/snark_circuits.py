"""Small DSL circuits for the Groth16 engine's tests (the withdrawal circuit is far larger)."""

from __future__ import annotations

import random

from mixer.extdata import ExtData
from mixer.field import R
from mixer.hashes import get_hasher
from mixer.merkle import MerkleTree
from mixer.snark.circuit import Circuit
from mixer.withdrawal import signals_json, withdraw_inputs

CUBIC_INPUTS = {"x": 35, "y": 9, "z": 27, "s": 3}
"""A satisfying assignment: 3^3 + 3 + 5 = 35 and 3 * 9 = 27."""


def cubic(inputs: dict[str, int] | None = None) -> Circuit:
    """Public x, y, z and private s with x = s^3 + s + 5 and z = s * y: every public input
    occurs in a constraint, as Groth16 needs to bind it."""
    c = Circuit(inputs)
    x, y, z = c.public_input("x"), c.public_input("y"), c.public_input("z")
    s = c.private_input("s")
    cube = c.mul(c.mul(s, s), s)
    c.assert_equal(cube + s + 5, x)
    c.assert_equal(c.mul(s, y), z)
    return c


def withdraw_example(hash_name: str, depth: int, seed: int = 1) -> dict[str, str | list[str]]:
    """Valid INPUT signals for `withdraw-<hash_name>-<depth>`: a note deposited into a real tree."""
    rng = random.Random(seed)
    hasher = get_hasher(hash_name)
    nullifier, secret = rng.getrandbits(248), rng.getrandbits(248)
    tree = MerkleTree(depth=depth, hasher=hash_name)
    tree.insert_many(rng.randrange(R) for _ in range(rng.randrange(1, 2**depth)))
    index = tree.insert(hasher.commitment(nullifier, secret))
    elements, indices = tree.path(index)
    ext = ExtData("0x" + rng.getrandbits(160).to_bytes(20, "big").hex(), fee=rng.randrange(10**17))
    return signals_json(
        withdraw_inputs(nullifier, secret, elements, indices, tree.root, ext.hash(), hash_name=hash_name)
    )
