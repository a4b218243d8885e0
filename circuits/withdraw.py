"""The withdrawal circuit (DESIGN.md §4): I know a note whose commitment is a leaf under `root`.

Public, in this order: root, nullifierHash, extDataHash.
Private: nullifier, secret, pathElements[depth], pathIndices[depth].
The inputs for a note are laid out by `mixer.withdrawal.withdraw_inputs`.
"""

from __future__ import annotations

from dataclasses import dataclass

from circuits.gadgets.merkle import merkle_levels
from circuits.hashers import circuit_hasher
from mixer.params import MAX_DEPTH
from mixer.snark.circuit import LC, Circuit


@dataclass(frozen=True)
class WithdrawWires:
    """The circuit's named values, for tests that re-derive each gadget's output."""

    root: LC
    nullifier_hash: LC
    ext_data_hash: LC
    nullifier: LC
    secret: LC
    path_elements: list[LC]
    path_indices: list[LC]
    commitment: LC
    computed_nullifier_hash: LC
    levels: list[LC]
    """Hash of each level on the path, leaf upward; levels[-1] is the recomputed root."""


def check_depth(depth: int) -> None:
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"tree depth must be an integer in 1..{MAX_DEPTH}, got {depth!r}")


def withdraw(c: Circuit, depth: int, hash_name: str) -> WithdrawWires:
    """Lay out the withdrawal circuit of `depth` levels with hash `hash_name` on `c`."""
    check_depth(depth)
    hasher = circuit_hasher(hash_name)
    root = c.public_input("root")
    nullifier_hash = c.public_input("nullifierHash")
    ext_data_hash = c.public_input("extDataHash")
    nullifier = c.private_input("nullifier")
    secret = c.private_input("secret")
    elements = c.private_inputs("pathElements", depth)
    indices = c.private_inputs("pathIndices", depth)

    commitment = hasher.commitment(c, nullifier, secret)
    computed_nullifier_hash = hasher.nullifier_hash(c, nullifier)
    c.assert_equal(computed_nullifier_hash, nullifier_hash, "nullifierHash == H(nullifier)")
    levels = merkle_levels(c, commitment, elements, indices, hasher.node)
    c.assert_equal(levels[-1], root, "Merkle path reaches root")
    # Our QAP (like snarkjs's) already binds every public input through its own row; the square
    # keeps extDataHash bound under any setup, as DESIGN.md §4 asks (docs/circuits.md).
    c.mul(ext_data_hash, ext_data_hash, "extDataHash bound")
    return WithdrawWires(
        root,
        nullifier_hash,
        ext_data_hash,
        nullifier,
        secret,
        elements,
        indices,
        commitment,
        computed_nullifier_hash,
        levels,
    )
