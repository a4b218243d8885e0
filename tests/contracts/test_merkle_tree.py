"""MerkleTreeWithHistory, through the pool's deposits, on the EVM (py-evm and anvil): leaves and
roots, the 100-root history ring, zeros, a full tree and the depth-32 leaf-index limit."""

from __future__ import annotations

import pytest
from eth_tester.exceptions import TransactionFailed
from web3.exceptions import ContractCustomError, ContractLogicError

from mixer.chain.client import Sender, named_revert
from mixer.field import random_element
from mixer.merkle import ROOT_HISTORY_SIZE
from tests.support.chain_nodes import anvil
from tests.support.contract_checks import GAS, expect_revert, guarded
from tests.support.contract_env import (
    DENOMINATION,
    DEPTH,
    SETUP_GAS,
    Env,
    fresh_address,
    record_for,
    toy_pool,
)


def test_deposit_appends_leaf_and_new_root(env: Env) -> None:
    before_index, before_root = env.eth.next_index(), env.eth.last_root()
    commitment = random_element()
    receipt = env.eth.deposit(commitment).receipt
    (event,) = env.eth.contract.events.Deposit().process_receipt(receipt)
    assert event["args"]["commitment"] == commitment.to_bytes(32, "big")
    assert event["args"]["leafIndex"] == before_index
    assert env.eth.next_index() == before_index + 1
    assert env.eth.last_root() not in (before_root, 0)


def test_accepts_a_proof_against_an_older_root_still_in_history(env: Env) -> None:
    """A record proven before later deposits still withdraws: its root stays in the ring."""
    recipient = fresh_address()
    record = record_for(env.eth, recipient)
    env.eth.deposit(random_element(), gas=600_000)
    env.eth.deposit(random_element(), gas=600_000)
    assert env.eth.current_root_index() != record.root_index
    env.eth.withdraw([record], gas=GAS)
    assert env.balance(recipient) == DENOMINATION and env.eth.is_spent(record.nullifier_hash)


def test_rejects_a_root_whose_ring_slot_was_overwritten(env: Env) -> None:
    """The ring really wraps: after 99 more deposits the proof's root is still in its slot;
    the 100th overwrites that slot, the old root is gone from all 100, and the record fails."""
    ring = toy_pool(env.sender, levels=7)  # 128 leaves: room for the 103 deposits
    for _ in range(3):
        ring.deposit(random_element(), gas=SETUP_GAS)
    record = record_for(ring, fresh_address())
    slot, old_root = record.root_index, ring.root_at(record.root_index)
    for _ in range(ROOT_HISTORY_SIZE - 1):
        ring.deposit(random_element(), gas=SETUP_GAS)
    assert ring.root_at(slot) == old_root
    ring.deposit(random_element(), gas=SETUP_GAS)
    assert ring.current_root_index() == slot
    assert old_root not in [ring.root_at(i) for i in range(ROOT_HISTORY_SIZE)]
    guarded(env, ring, [record], "InvalidProof")


def test_zeros_outside_the_tree_has_its_own_error(env: Env) -> None:
    zeros = env.eth.contract.functions.zeros
    assert zeros(DEPTH - 1).call() != 0
    with pytest.raises((ContractCustomError, ContractLogicError, TransactionFailed)) as info:
        zeros(DEPTH).call()
    assert named_revert(info.value, env.eth.abi).error == "ZerosLevelOutOfRange"


def test_depth_32_tree_names_the_leaf_whose_next_index_would_overflow() -> None:
    """nextIndex is a uint32, so a depth-32 tree has no room for a successor of leaf 2^32 - 1.
    Reaching it takes 2^32 deposits, so anvil sets nextIndex (slot 0, low 4 bytes) directly."""
    with anvil() as w3:
        sender = Sender(w3, w3.eth.accounts[0])
        pool = toy_pool(sender, levels=32)
        for next_index, error in ((2**32 - 1, "LeafIndexOverflow"), (2**32 - 2, None)):
            slot0 = f"0x{next_index:064x}"  # currentRootIndex (the next 4 bytes) stays 0
            w3.provider.make_request("anvil_setStorageAt", [pool.address, "0x0", slot0])
            assert pool.next_index() == next_index and pool.current_root_index() == 0
            if error is None:
                pool.deposit(random_element())
                assert pool.next_index() == next_index + 1
            else:
                expect_revert(error, pool.deposit, random_element())
                assert pool.next_index() == next_index


def test_rejects_deposit_into_full_tree(env: Env) -> None:
    while env.tiny.next_index() < 2:
        env.tiny.deposit(random_element())
    balance = env.balance(env.tiny.address)
    expect_revert("TreeFull", env.tiny.deposit, random_element())
    assert env.tiny.next_index() == 2 and env.balance(env.tiny.address) == balance
