"""The incremental Merkle tree: zeros against Tornado and circomlibjs, paths, bulk build, history."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixer.field import R
from mixer.merkle import ROOT_HISTORY_SIZE, MerkleTree, TreeFullError, verify_path
from tests.support.tools import ROOT

VECTORS = json.loads((ROOT / "tests/vectors/circomlibjs.json").read_text())
TORNADO_ZEROS = [
    int(z, 16) for z in json.loads((ROOT / "tests/vectors/tornado_mimc_zeros.json").read_text())["zeros"]
]
HASHES = ("poseidon", "mimcsponge")
leaf_sets = st.lists(st.integers(0, R - 1), min_size=1, max_size=20)


@pytest.mark.parametrize("hasher", HASHES)
def test_depth20_zeros_match_circomlibjs(hasher: str) -> None:
    assert MerkleTree(20, hasher).zeros == [int(z) for z in VECTORS["zeros"][hasher]]


def test_mimc_zeros_match_tornado_published_table() -> None:
    assert MerkleTree(31, "mimcsponge").zeros == TORNADO_ZEROS


@pytest.mark.parametrize("hasher", HASHES)
def test_empty_tree_root_is_top_zero(hasher: str) -> None:
    tree = MerkleTree(5, hasher)
    assert tree.root == tree.zeros[5]
    assert tree.is_known_root(tree.root)


@settings(max_examples=15, deadline=None)
@given(leaves=leaf_sets, hasher=st.sampled_from(HASHES))
def test_every_path_verifies(leaves: list[int], hasher: str) -> None:
    tree = MerkleTree(5, hasher)
    tree.insert_many(leaves)
    for i, leaf in enumerate(leaves):
        elements, indices = tree.path(i)
        assert indices == [(i >> b) & 1 for b in range(5)]
        assert verify_path(tree.root, leaf, elements, indices, hasher)
        assert not verify_path(tree.root, (leaf + 1) % R, elements, indices, hasher)


@settings(max_examples=15, deadline=None)
@given(leaves=leaf_sets, split=st.integers(0, 20))
def test_bulk_build_equals_one_by_one(leaves: list[int], split: int) -> None:
    one, bulk = MerkleTree(6), MerkleTree(6)
    for leaf in leaves:
        one.insert(leaf)
    bulk.insert_many(leaves[:split])
    bulk.insert_many(leaves[split:])
    assert bulk.root == one.root
    assert all(bulk.path(i) == one.path(i) for i in range(len(leaves)))


def test_root_is_the_hash_of_the_levels() -> None:
    tree = MerkleTree(2, "poseidon")
    tree.insert_many([1, 2, 3])
    h = tree.hasher.node
    assert tree.root == h(h(1, 2), h(3, tree.zeros[0]))


def test_insert_returns_index_and_history_keeps_last_roots() -> None:
    tree = MerkleTree(8)
    roots = []
    for i in range(ROOT_HISTORY_SIZE + 5):
        assert tree.insert(i + 1) == i
        roots.append(tree.root)
    assert all(tree.is_known_root(r) for r in roots[-ROOT_HISTORY_SIZE:])
    assert not any(tree.is_known_root(r) for r in roots[:5])
    assert not tree.is_known_root(0)


def test_full_tree_rejects_another_leaf() -> None:
    tree = MerkleTree(2)
    tree.insert_many([1, 2, 3, 4])
    with pytest.raises(TreeFullError, match="full"):
        tree.insert(5)
    with pytest.raises(TreeFullError):
        MerkleTree(2).insert_many(range(5))


@pytest.mark.parametrize("bad", [R, -1, "1", None])
def test_rejects_leaves_outside_the_field(bad: object) -> None:
    tree = MerkleTree(3)
    with pytest.raises(ValueError, match="field element"):
        tree.insert(bad)  # type: ignore[arg-type]
    assert len(tree) == 0


@pytest.mark.parametrize("depth", [0, 33, True, 2.0])
def test_rejects_bad_depth(depth: object) -> None:
    with pytest.raises(ValueError, match="depth"):
        MerkleTree(depth)  # type: ignore[arg-type]


def test_path_of_missing_leaf_is_an_error() -> None:
    tree = MerkleTree(3)
    tree.insert(7)
    with pytest.raises(IndexError, match="no leaf"):
        tree.path(1)
