"""A level's pairs hashed across processes give exactly the in-process hashes, in order,
whichever way the workers start, and a tree grown with them has the same root."""

from __future__ import annotations

import random
import threading

import pytest

from mixer.field import R
from mixer.hashes import get_hasher
from mixer.merkle import MerkleTree, empty_subtree_roots, grow
from mixer.pair_hashing import PARALLEL_MIN_PAIRS, PairHashing, hash_pairs


def children(count: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(R) for _ in range(2 * count)]


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_pairs_are_the_pairs_in_order(workers: int) -> None:
    level = children(PARALLEL_MIN_PAIRS + 7, seed=workers)  # not a multiple of the piece size
    with PairHashing("poseidon", workers) as parents:
        assert parents(level) == hash_pairs("poseidon", level)


def test_parallel_pairs_started_from_the_forkserver_while_a_thread_runs() -> None:
    # a progress bar's thread makes fork unsafe (mixer.processes): the workers start clean
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        level = children(PARALLEL_MIN_PAIRS, seed=9)
        with PairHashing("mimcsponge", 2) as parents:
            assert parents(level) == hash_pairs("mimcsponge", level)
    finally:
        stop.set()
        thread.join()


def test_a_tree_grown_in_parallel_has_the_root_of_one_grown_here() -> None:
    leaves = children(PARALLEL_MIN_PAIRS, seed=3)[: 2 * PARALLEL_MIN_PAIRS + 5]
    tree = MerkleTree(14, "poseidon")
    tree.insert_many(leaves)
    hasher = get_hasher("poseidon")
    zeros = empty_subtree_roots(14, hasher)
    with PairHashing("poseidon", 2) as parents:
        levels = grow(0, leaves, zeros, hasher, lambda level, i: 0, parents)
    assert levels[-1] == (14, 0, [tree.root])
