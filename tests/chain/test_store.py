"""mixer.chain.store: the persisted events and tree of a pool, against the in-memory
MerkleTree, and what it does with a damaged, foreign or contradictory file."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixer.chain.events import DepositEvent, WithdrawalEvent
from mixer.chain.store import PoolStore, StoreError
from mixer.merkle import MerkleTree

IDENTITY: dict[str, str | int] = {
    "chain": 1,
    "pool": "0x00000000000000000000000000000000000000aa",
    "start": 0,
}
DEPTH = 6


def _store(path: Path, depth: int = DEPTH, **identity: str | int) -> PoolStore:
    return PoolStore(
        path / "pool.sqlite", identity={**IDENTITY, **identity}, depth=depth, hash_name="poseidon"
    )


def _deposits(start: int, leaves: list[int]) -> list[DepositEvent]:
    return [DepositEvent(c, start + i, start + i, "0x" + "ab" * 32, 1000 + i) for i, c in enumerate(leaves)]


def _fill(store: PoolStore, batches: list[int], seed: int = 1) -> MerkleTree:
    rng = random.Random(seed)
    tree = MerkleTree(store.depth, "poseidon")
    for block, size in enumerate(batches):
        leaves = [rng.randrange(1, 1 << 253) for _ in range(size)]
        store.append(block, f"0x{block:064x}", _deposits(len(tree), leaves), [])
        tree.insert_many(leaves)
    return tree


@settings(max_examples=25)
@given(batches=st.lists(st.integers(0, 9), max_size=8))
def test_a_store_grown_range_by_range_equals_the_tree_built_at_once(
    tmp_path_factory: pytest.TempPathFactory, batches: list[int]
) -> None:
    store = _store(tmp_path_factory.mktemp("s"))
    tree = _fill(store, batches)
    assert (store.size, store.root) == (len(tree), tree.root)
    for index in range(len(tree)):
        assert store.path(index) == tree.path(index)
        assert store.deposit_of(tree.leaves[index]) == store.deposits(index, index + 1)[0]


def test_a_reopened_store_resumes_where_it_stopped(tmp_path: Path) -> None:
    tree = _fill(_store(tmp_path), [3, 4])
    again = _store(tmp_path)
    assert (again.size, again.root, again.next_block, again.last_hash) == (7, tree.root, 2, f"0x{1:064x}")


@pytest.mark.parametrize("change", ["truncated", "garbage", "another pool", "another depth", "old schema"])
def test_a_damaged_or_foreign_store_is_dropped_not_trusted(tmp_path: Path, change: str) -> None:
    store = _store(tmp_path)
    _fill(store, [5])
    store.close()
    file = tmp_path / "pool.sqlite"
    kwargs: dict[str, str | int] = {}
    depth = DEPTH
    if change == "truncated":
        file.write_bytes(file.read_bytes()[:1000])
    elif change == "garbage":
        file.write_bytes(b"{not a database" * 100)
    elif change == "another pool":
        kwargs["pool"] = "0x00000000000000000000000000000000000000bb"
    elif change == "another depth":
        depth = DEPTH + 1
    else:
        with sqlite3.connect(file) as db:
            db.execute("UPDATE meta SET v = '2' WHERE k = 'schema'")
    again = _store(tmp_path, depth, **kwargs)
    assert (again.size, again.next_block) == (0, None)


def test_an_altered_node_is_caught_when_a_path_is_read(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _fill(store, [9])
    with sqlite3.connect(tmp_path / "pool.sqlite") as db:
        db.execute("UPDATE nodes SET value = ? WHERE level = 1 AND idx = 1", ((5).to_bytes(32, "big"),))
    reopened = _store(tmp_path)
    with pytest.raises(StoreError, match="does not lead to the stored root"):
        reopened.path(0)  # its sibling at level 1 is the altered node


@pytest.mark.parametrize("leaf", [4, 2], ids=["gap", "repeat"])
def test_deposits_that_do_not_continue_the_leaves_write_nothing(tmp_path: Path, leaf: int) -> None:
    store = _store(tmp_path)
    tree = _fill(store, [3])
    with pytest.raises(StoreError, match="gap in leaf indices" if leaf > 3 else "repeated leaf index"):
        store.append(9, "0x09", [DepositEvent(77, leaf, 9, "0x" + "cd" * 32, 0)], [])
    assert (store.size, store.root, store.next_block) == (3, tree.root, 1)


def test_a_nullifier_spent_twice_writes_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    spent = WithdrawalEvent(42, "0x" + "11" * 20, "0x" + "22" * 20, 5, 1, "0x" + "ef" * 32)
    store.append(1, "0x01", [], [spent])
    assert store.withdrawal_of(42) == spent and store.withdrawal_count == 1
    with pytest.raises(StoreError, match="already spent"):
        store.append(2, "0x02", _deposits(0, [7]), [spent])
    assert (store.size, store.withdrawal_count, store.next_block) == (0, 1, 2)


def test_a_full_tree_takes_no_more_deposits(tmp_path: Path) -> None:
    store = _store(tmp_path, depth=2)
    store.append(0, "0x00", _deposits(0, [1, 2, 3, 4]), [])
    with pytest.raises(StoreError, match="more deposits than a depth-2 tree holds"):
        store.append(1, "0x01", _deposits(4, [5]), [])
