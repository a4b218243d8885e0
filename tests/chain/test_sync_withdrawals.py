"""The pool's Withdrawal events, synced with its deposits for everyone (embedded chain): a
note's spent state is derived from them, an older cache is deleted rather than read, and a
lying node that invents, repeats or withholds withdrawals is caught or changes nothing the
wallet concludes about its notes (docs/threat-model.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3
from web3.middleware.base import Web3Middleware

from mixer.chain.client import Sender
from mixer.chain.embedded import embedded_web3
from mixer.chain.pool import PoolClient, deploy_pool, vk_words
from mixer.chain.sync import SyncError, store_path, sync_deposits
from mixer.field import R, random_element
from mixer.snark.snarkjs import vk_from_snarkjs
from tests.support.chain_nodes import lying_node
from tests.support.contract_env import fresh_address, record_for
from tests.support.snarkjs_toy import verification_key

DEPTH = 4
DEPOSIT_GAS = 1_000_000


@pytest.fixture(scope="module")
def chain() -> Web3:
    return embedded_web3()


@pytest.fixture
def pool(chain: Web3) -> PoolClient:
    """A 1-wei pool whose verifier holds snarkjs's toy key (record_for proves for it)."""
    sender = Sender(chain, chain.eth.accounts[0])
    vk = vk_words(vk_from_snarkjs(verification_key()))
    address = deploy_pool(sender, hasher="poseidon", verifying_key=vk, denomination=1, levels=DEPTH).pool
    return PoolClient(sender, address)


def deposit(pool: PoolClient, n: int) -> None:
    for _ in range(n):
        pool.deposit(random_element(), value=1, gas=DEPOSIT_GAS)


def withdraw(pool: PoolClient) -> tuple[int, str, str]:
    """(nullifier hash, recipient, tx hash) of a fresh withdrawal."""
    recipient = fresh_address()
    record = record_for(pool, recipient)
    return record.nullifier_hash, recipient, pool.withdraw([record], gas=600_000).hash


def sync(chain: Web3, pool: PoolClient, cache: Path, max_range: int = 2000) -> Any:
    return sync_deposits(chain, pool.address, hasher="poseidon", cache_dir=cache, max_range=max_range)


def test_a_notes_spent_state_and_withdrawal_tx_come_from_the_synced_events(
    chain: Web3, pool: PoolClient, tmp_path: Path
) -> None:
    deposit(pool, 3)
    first, to, tx = withdraw(pool)
    synced = sync(chain, pool, tmp_path, max_range=1)  # every block a whole range: all cached
    spent = synced.withdrawal_of(first)
    assert spent is not None and (spent.to, spent.tx_hash, spent.fee) == (to, tx, 0)
    assert spent.block_number == chain.eth.get_transaction(tx)["blockNumber"]  # type: ignore[arg-type]
    assert synced.withdrawal_of(random_element()) is None  # an unspent note
    # incrementally: a later withdrawal is found from the cache onwards
    deposit(pool, 1)
    second, _, tx2 = withdraw(pool)
    again = sync(chain, pool, tmp_path, max_range=1)
    assert again.withdrawal_of(first) == spent and again.withdrawal_count == 2
    assert again.withdrawal_of(second).tx_hash == tx2  # type: ignore[union-attr]
    assert (again.store.withdrawal_count, again.store.next_block) == (2, chain.eth.block_number + 1)


def test_an_older_json_cache_is_deleted_not_read(chain: Web3, pool: PoolClient, tmp_path: Path) -> None:
    """Versions 1 and 2 kept a whole-file JSON cache; version 1's had no withdrawals, and read
    as "nothing spent" it would hide a spent note. The store never reads one: it is deleted."""
    deposit(pool, 2)
    nullifier, _, _ = withdraw(pool)
    chain_id = chain.eth.chain_id
    old = tmp_path / f"deposits-{chain_id}-{pool.address.lower()}.json"
    for version in (1, 2):  # what they wrote: the same pool through the latest block, no withdrawals
        cache = {"version": version, "chain_id": chain_id, "pool": pool.address, "start_block": 0}
        cache |= {
            "next_block": chain.eth.block_number + 1,
            "last_hash": "",
            "deposits": [],
            "withdrawals": [],
        }
        old.write_text(json.dumps(cache))
        synced = sync(chain, pool, tmp_path, max_range=1)
        assert synced.withdrawal_of(nullifier) is not None and synced.size == 2
        assert not old.exists() and store_path(tmp_path, chain_id, pool.address).exists()


def _is_withdrawal(log: dict[str, Any]) -> bool:
    return len(str(log["data"])) == 2 + 3 * 64  # to | nullifierHash | fee (a deposit has 2 words)


def _with_word(log: dict[str, Any], word: int, value: int) -> dict[str, Any]:
    data = str(log["data"])[2:]
    words = [data[i : i + 64] for i in range(0, len(data), 64)]
    words[word] = value.to_bytes(32, "big").hex()
    return {**log, "data": "0x" + "".join(words)}


def _invent(logs: list[Any], *, nullifier: int | None = None, fee: int = 0) -> list[Any]:
    """`logs` and one more Withdrawal, made from a real one."""
    real = next(log for log in logs if _is_withdrawal(log))
    made = _with_word(real, 1, random_element() if nullifier is None else nullifier)
    return [*logs, _with_word(made, 2, fee)]


@pytest.mark.parametrize(
    ("bend", "error"),
    [
        (lambda logs: [log for log in logs if not _is_withdrawal(log)], "withheld Withdrawal events"),
        (lambda logs: logs + [log for log in logs if _is_withdrawal(log)], "already spent"),
        (lambda logs: _invent(logs, nullifier=R), "nullifier hash >= r"),
        (lambda logs: _invent(logs, fee=2), "fee above the denomination"),
        (lambda logs: [{**logs[0], "blockNumber": hex(10**6)}, *logs[1:]], "when asked for blocks"),
    ],
    ids=["withheld", "repeated", "nullifier-not-in-field", "fee-above-denomination", "outside-the-range"],
)
def test_a_node_bending_withdrawal_events_is_caught(
    chain: Web3, pool: PoolClient, tmp_path: Path, bend: Callable[[list[Any]], list[Any]], error: str
) -> None:
    deposit(pool, 3)
    withdraw(pool)
    with pytest.raises(SyncError, match=error), lying_node(chain, bend):
        sync(chain, pool, tmp_path)
    assert sync(chain, pool, tmp_path).withdrawal_count == 1  # the honest node, afterwards


def test_a_node_inventing_a_withdrawal_cannot_mark_an_unspent_note_spent(
    chain: Web3, pool: PoolClient, tmp_path: Path
) -> None:
    """An invented Withdrawal of a nullifier hash nobody revealed changes no note's state: the
    node does not know an unspent note's nullifier hash (the wallet never asks about it), so
    it can only invent ones that belong to no note."""
    deposit(pool, 3)
    spent, _, _ = withdraw(pool)
    mine = random_element()  # an unspent note's nullifier hash, which only its owner knows
    invented = random_element()
    with lying_node(chain, lambda logs: _invent(logs, nullifier=invented)):
        synced = sync(chain, pool, tmp_path)
    assert synced.withdrawal_of(mine) is None
    assert synced.withdrawal_of(spent) is not None and synced.withdrawal_of(invented) is not None


def test_a_sync_does_not_start_at_the_block_where_this_wallet_last_stopped(
    chain: Web3, pool: PoolClient, tmp_path: Path
) -> None:
    """A wallet syncs just before its own deposit; resuming the next sync right after that
    point would ask the node for logs from the deposit's own block. Ranges are cut on a grid of
    multiples of the range size, the same for every wallet, and only whole ones are cached."""
    asked: list[tuple[int, int]] = []

    class Recorder(Web3Middleware):
        def request_processor(self, method: Any, params: Any) -> Any:
            if method == "eth_getLogs":
                asked.append((int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)))
            return method, params

    deposit(pool, 2)
    while (chain.eth.block_number + 1) % 4 == 0:  # so that our deposit's block is off the grid
        deposit(pool, 1)
    chain.middleware_onion.add(Recorder, "recorder")
    try:
        sync_deposits(chain, pool.address, hasher="poseidon", cache_dir=tmp_path, max_range=4)
        mine = pool.deposit(random_element(), value=1, gas=DEPOSIT_GAS).transaction.block
        deposit(pool, 1)
        asked.clear()
        sync_deposits(chain, pool.address, hasher="poseidon", cache_dir=tmp_path, max_range=4)
    finally:
        chain.middleware_onion.remove("recorder")
    assert asked and all(first % 4 == 0 and last // 4 == first // 4 for first, last in asked)
    assert mine % 4 != 0 and all(first != mine for first, _ in asked)
