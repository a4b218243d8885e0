"""Pool sync on the embedded chain: bounded ranges, a resumable store, its tree checked
against the pool, a damaged store rebuilt, clear errors when a (deliberately lying) node
bends the events; the pool's withdrawals fetched with its deposits, in the same requests
(tests/chain/test_sync_withdrawals.py has the rest, tests/chain/test_sync_kill.py the kills)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3
from web3.middleware.base import Web3Middleware

from mixer.chain.client import Sender
from mixer.chain.embedded import embedded_web3
from mixer.chain.pool import PoolClient, deploy_pool, vk_words
from mixer.chain.sync import SyncError, store_path, sync_deposits
from mixer.field import random_element
from mixer.merkle import MerkleTree
from mixer.snark.snarkjs import vk_from_snarkjs
from tests.support.chain_nodes import lying_node
from tests.support.contract_env import fresh_address, record_for
from tests.support.snarkjs_toy import verification_key

DEPTH = 4
DEPOSIT_GAS = 1_000_000  # fixed: skips a second EVM run per deposit


@pytest.fixture(scope="module")
def chain() -> Web3:
    return embedded_web3()


@pytest.fixture
def pool(chain: Web3) -> PoolClient:
    sender = Sender(chain, chain.eth.accounts[0])
    address = deploy_pool(
        sender, hasher="poseidon", verifying_key=[1] * 22, denomination=1, levels=DEPTH
    ).pool
    return PoolClient(sender, address)


def deposit(pool: PoolClient, n: int) -> list[int]:
    commitments = [random_element() for _ in range(n)]
    for c in commitments:
        pool.deposit(c, value=1, gas=DEPOSIT_GAS)
    return commitments


def test_sync_rebuilds_the_pool_tree_in_bounded_ranges(chain: Web3, pool: PoolClient, tmp_path: Path) -> None:
    commitments = deposit(pool, 5)
    seen: list[tuple[int, int]] = []
    synced = sync_deposits(
        chain,
        pool.address,
        hasher="poseidon",
        cache_dir=tmp_path,
        max_range=3,
        progress=lambda b, t: seen.append((b, t)),
    )
    target = chain.eth.block_number
    assert synced.block == target and seen[-1] == (target, target)
    assert all(b2 - b1 <= 3 for (b1, _), (b2, _) in zip([(-1, 0), *seen], seen, strict=False))
    assert [d.commitment for d in synced.deposits()] == commitments
    assert [d.leaf_index for d in synced.deposits()] == list(range(5)) and synced.size == 5
    assert synced.root == pool.last_root() and synced.root_index == pool.current_root_index()
    reference = MerkleTree(DEPTH, "poseidon")
    reference.insert_many(commitments)
    assert synced.root == reference.root
    assert all(synced.path(i) == reference.path(i) for i in range(5))
    first = synced.deposits(0, 1)[0]
    receipt_block = chain.eth.get_transaction(first.tx_hash)["blockNumber"]  # type: ignore[arg-type]
    assert receipt_block == first.block_number


def stored_meta(path: Path, key: str) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()[0])
    finally:
        db.close()


def test_interrupted_sync_resumes_from_the_store(chain: Web3, pool: PoolClient, tmp_path: Path) -> None:
    commitments = deposit(pool, 4)

    def stop(block: int, target: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync_deposits(chain, pool.address, hasher="poseidon", cache_dir=tmp_path, max_range=5, progress=stop)
    resumed_from = int(stored_meta(store_path(tmp_path, chain.eth.chain_id, pool.address), "next_block"))
    assert resumed_from == 5  # exactly one range of 5 blocks was kept
    ranges: list[int] = []
    synced = sync_deposits(
        chain,
        pool.address,
        hasher="poseidon",
        cache_dir=tmp_path,
        max_range=5,
        progress=lambda b, t: ranges.append(b),
    )
    # continued, not restarted (a restart would report block 4 first); the module's chain
    # may end inside that range when this test runs first
    assert ranges[0] == min(resumed_from + 4, chain.eth.block_number)
    assert [d.commitment for d in synced.deposits()] == commitments
    # a later sync fetches only the new blocks
    more = deposit(pool, 1)
    ranges.clear()
    synced = sync_deposits(
        chain, pool.address, hasher="poseidon", cache_dir=tmp_path, progress=lambda b, t: ranges.append(b)
    )
    assert ranges == [chain.eth.block_number] and synced.deposits(synced.size - 1)[0].commitment == more[0]
    assert synced.root == pool.last_root()


def _synced_whole(chain: Web3, pool: PoolClient, cache: Path) -> tuple[int, int, list[int]]:
    """(root, size, commitments) of a sync whose ranges are all whole (all stored); the store
    closed afterwards."""
    synced = sync_deposits(chain, pool.address, hasher="poseidon", cache_dir=cache, max_range=1)
    try:
        return synced.root, synced.size, [d.commitment for d in synced.deposits()]
    finally:
        synced.store.close()


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, -7])
def test_a_truncated_store_is_detected_and_rebuilt(
    chain: Web3, pool: PoolClient, tmp_path: Path, keep: float
) -> None:
    commitments = deposit(pool, 6)
    honest = _synced_whole(chain, pool, tmp_path)
    assert honest[1:] == (6, commitments)
    path = store_path(tmp_path, chain.eth.chain_id, pool.address)
    raw = path.read_bytes()
    path.write_bytes(raw[: int(len(raw) * keep)] if keep > 0 else raw[: int(keep)])
    assert _synced_whole(chain, pool, tmp_path) == honest


def _alter(path: Path, queries: str) -> None:
    """Run `queries` (separated by "; ") on the store file, behind the store's back."""
    db = sqlite3.connect(path)
    with db:
        for query in queries.split("; "):
            assert db.execute(query).rowcount >= 1
    db.close()


_LEAF = "SELECT value FROM nodes WHERE level = 0 AND idx = {}"


@pytest.mark.parametrize(
    "query",
    [
        "UPDATE nodes SET value = zeroblob(32) WHERE level = (SELECT MAX(level) FROM nodes)",
        "UPDATE nodes SET value = zeroblob(32) WHERE level = 1 AND idx = 0",
        "UPDATE meta SET v = '5' WHERE k = 'size'",
        "DELETE FROM deposits WHERE leaf = 5",
        "UPDATE deposits SET leaf = 7 WHERE leaf = 5",
        "UPDATE deposits SET commitment = zeroblob(32) WHERE leaf = 0; "
        f"UPDATE deposits SET commitment = ({_LEAF.format(0)}) WHERE leaf = 1; "
        f"UPDATE deposits SET commitment = ({_LEAF.format(1)}) WHERE leaf = 0",
        "UPDATE meta SET v = '-1' WHERE k = 'withdrawals'",
    ],
    ids=[
        "root",
        "inner-node",
        "size",
        "deposit-row",
        "leaf-index",
        "commitments-swapped",
        "withdrawal-count",
    ],
)
def test_an_altered_store_is_detected_and_never_trusted(
    chain: Web3, pool: PoolClient, tmp_path: Path, query: str
) -> None:
    commitments = deposit(pool, 6)
    honest = _synced_whole(chain, pool, tmp_path)
    path = store_path(tmp_path, chain.eth.chain_id, pool.address)
    _alter(path, query)
    try:
        synced = sync_deposits(chain, pool.address, hasher="poseidon", cache_dir=tmp_path, max_range=1)
        # what the sync did not rebuild, reading it does not trust: a path or a deposit that
        # disagrees with the checked root is an error (and the store is dropped), never an answer
        for index, commitment in enumerate(commitments):
            assert synced.leaf_index(commitment) == index
            assert synced.path(index) is not None
        assert synced.root == honest[0]
    except SyncError as exc:
        assert "discarded" in str(exc)
        assert not path.exists()
    assert _synced_whole(chain, pool, tmp_path) == honest


def test_a_store_of_another_schema_version_is_rebuilt(chain: Web3, pool: PoolClient, tmp_path: Path) -> None:
    commitments = deposit(pool, 3)
    honest = _synced_whole(chain, pool, tmp_path)
    path = store_path(tmp_path, chain.eth.chain_id, pool.address)
    _alter(path, "UPDATE meta SET v = '2' WHERE k = 'schema'")
    _alter(path, "DELETE FROM deposits")  # what that version would have left: read, it would be wrong
    assert _synced_whole(chain, pool, tmp_path) == honest
    assert stored_meta(path, "schema") == "3" and honest[2] == commitments


def test_reorganised_cached_block_restarts_the_sync(chain: Web3, pool: PoolClient, tmp_path: Path) -> None:
    kept = deposit(pool, 1)
    snapshot = chain.testing.snapshot()
    deposit(pool, 2)
    sync_deposits(chain, pool.address, hasher="poseidon", cache_dir=tmp_path)
    chain.testing.revert(snapshot)
    replaced = deposit(pool, 2)  # the same heights, other blocks
    synced = sync_deposits(chain, pool.address, hasher="poseidon", cache_dir=tmp_path)
    assert [d.commitment for d in synced.deposits()] == kept + replaced
    assert synced.root == pool.last_root()


def test_wrong_hash_family_is_rejected_and_the_store_discarded(
    chain: Web3, pool: PoolClient, tmp_path: Path
) -> None:
    deposit(pool, 2)
    with pytest.raises(SyncError, match="root differs"):
        sync_deposits(chain, pool.address, hasher="mimcsponge", cache_dir=tmp_path)
    assert not store_path(tmp_path, chain.eth.chain_id, pool.address).exists()


def _forged(log: dict[str, Any]) -> dict[str, Any]:
    topics = list(log["topics"])
    topics[1] = "0x" + random_element().to_bytes(32, "big").hex()
    return {**log, "topics": topics}


@pytest.mark.parametrize(
    ("bend", "error"),
    [
        (lambda logs: logs[:1] + logs[2:], "a gap in leaf indices"),
        (lambda logs: logs[:2] + logs[1:], "a repeated leaf index"),
        (lambda logs: logs[:-1], "2 events vs 3 deposits"),
        (lambda logs: [logs[0], _forged(logs[1]), *logs[2:]], "root differs"),
        (lambda logs: [{**logs[0], "address": fresh_address()}, *logs[1:]], "event of another contract"),
    ],
    ids=["withheld", "repeated", "truncated", "forged", "foreign"],
)
def test_lying_node_is_caught(
    chain: Web3, pool: PoolClient, tmp_path: Path, bend: Callable[[list[Any]], list[Any]], error: str
) -> None:
    deposit(pool, 3)
    with pytest.raises(SyncError, match=error), lying_node(chain, bend):
        sync_deposits(chain, pool.address, hasher="poseidon", cache_dir=tmp_path, start_block=0)
    # the honest node, afterwards, still syncs
    assert sync_deposits(chain, pool.address, hasher="poseidon", cache_dir=tmp_path).root == pool.last_root()


@contextmanager
def narrow_node(chain: Web3, widest: int) -> Iterator[list[tuple[int, int]]]:
    """A node that refuses eth_getLogs over more than `widest` blocks (as public RPC providers
    do); yields the (first, last) block ranges it answered."""
    answered: list[tuple[int, int]] = []

    class Narrow(Web3Middleware):
        def request_processor(self, method: Any, params: Any) -> Any:
            if method == "eth_getLogs":
                first, last = int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)
                if last - first + 1 > widest:
                    raise ValueError(f"query exceeds the limit of {widest} blocks")
                answered.append((first, last))
            return method, params

    chain.middleware_onion.add(Narrow, "narrow")
    try:
        yield answered
    finally:
        chain.middleware_onion.remove("narrow")


def test_a_node_refusing_wide_log_ranges_is_asked_for_narrower_ones(chain: Web3, tmp_path: Path) -> None:
    sender = Sender(chain, chain.eth.accounts[0])
    # snarkjs's toy key: record_for makes real proofs for it
    vk = vk_words(vk_from_snarkjs(verification_key()))
    pool = PoolClient(
        sender, deploy_pool(sender, hasher="poseidon", verifying_key=vk, denomination=1, levels=DEPTH).pool
    )
    start = chain.eth.block_number
    commitments = deposit(pool, 3)
    recipient = fresh_address()
    record = record_for(pool, recipient)
    receipt = pool.withdraw([record], gas=600_000).receipt
    with narrow_node(chain, 2) as answered:
        synced = sync_deposits(chain, pool.address, hasher="poseidon", cache_dir=tmp_path, start_block=start)
    spent = synced.withdrawal_of(record.nullifier_hash)
    unspent = synced.withdrawal_of(record.nullifier_hash + 1)
    assert [d.commitment for d in synced.deposits()] == commitments
    assert spent is not None and (spent.to, spent.block_number) == (recipient, receipt["blockNumber"])
    assert spent.tx_hash == "0x" + bytes(receipt["transactionHash"]).hex()
    assert unspent is None
    assert answered and all(last - first < 2 for first, last in answered)
    latest = chain.eth.block_number
    assert receipt["blockNumber"] == latest
    # one scan of start..latest without a gap, deposits and withdrawals in the same requests
    blocks = [n for first, last in answered for n in range(first, last + 1)]
    assert blocks == list(range(start, latest + 1))
