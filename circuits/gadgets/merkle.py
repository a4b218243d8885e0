"""Merkle path gadget: recompute a root from a leaf, its sibling path and its index bits."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from circuits.gadgets.bits import assert_bool, dual_mux
from mixer.snark.circuit import LC, Circuit

NodeGadget = Callable[[Circuit, LC, LC], LC]


def merkle_levels(
    c: Circuit, leaf: LC, elements: Sequence[LC], indices: Sequence[LC], node: NodeGadget
) -> list[LC]:
    """Every node on the path from `leaf` upward; the last one is the root.

    indices[i] = 0 puts the running hash on the left of elements[i], 1 on the right (the
    bits of the leaf index, least significant first, as `mixer.merkle.MerkleTree.path`).
    Each index is constrained boolean here: a non-boolean index would let the "swap" blend
    the two children into arbitrary values.
    """
    if len(elements) != len(indices):
        raise ValueError("a Merkle path needs as many indices as elements")
    levels = []
    current = leaf
    for i, (element, index) in enumerate(zip(elements, indices, strict=True)):
        assert_bool(c, index, f"pathIndices[{i}] in {{0,1}}")
        left, right = dual_mux(c, current, element, index)
        current = node(c, left, right)
        levels.append(current)
    return levels
