"""The pool (Pool.sol, deployed as ETHPool, and as ERC20Pool where a refund is needed) on the EVM,
on py-evm and on a real anvil node: withdrawals and deposits, and every attack on them that
DESIGN.md §5-6 names. Each rejected call also shows nothing was paid or spent."""

from __future__ import annotations

import pytest
from web3 import Web3

from mixer.chain.pool import deploy_contract
from mixer.chain.record import RECORD_SIZE, WithdrawalRecord, encode_batch
from mixer.field import R, random_element
from mixer.params import ZERO_ADDRESS
from tests.support.contract_checks import GAS, Untouched, expect_revert, guarded
from tests.support.contract_env import DENOMINATION, Env, fresh_address, record_for, withdraw_raw

# --- happy paths -----------------------------------------------------------------------


def test_withdraw_pays_recipient_and_relayer_fee(env: Env) -> None:
    recipient, fee = fresh_address(), DENOMINATION // 10
    record = record_for(env.eth, recipient, relayer=env.relayer, fee=fee)
    pool_before, relayer_before = env.balance(env.eth.address), env.balance(env.relayer)
    receipt = env.eth.withdraw([record], relayer=env.relayer, fee=fee, gas=GAS).receipt
    assert env.balance(recipient) == DENOMINATION - fee
    assert env.balance(env.relayer) == relayer_before + fee
    assert env.balance(env.eth.address) == pool_before - DENOMINATION
    assert env.eth.is_spent(record.nullifier_hash)
    (event,) = env.eth.contract.events.Withdrawal().process_receipt(receipt)
    assert event["args"]["to"] == recipient and event["args"]["fee"] == fee


# --- attacks -----------------------------------------------------------------------------


def test_rejects_double_spend(env: Env) -> None:
    first = record_for(env.eth, fresh_address())
    env.eth.withdraw([first], gas=GAS)
    again = record_for(env.eth, fresh_address(), nullifier_hash=first.nullifier_hash)
    recipient = env.eth.recipient_at(again.recipient_id)
    snap = Untouched(env, env.eth, [recipient], [])
    expect_revert("NullifierSpent", env.eth.withdraw, [again])
    snap.check()


def test_rejects_double_spend_within_one_batch(env: Env) -> None:
    a = record_for(env.eth, fresh_address())
    b = record_for(env.eth, fresh_address(), nullifier_hash=a.nullifier_hash)
    guarded(env, env.eth, [a, b], "NullifierSpent")


def test_rejects_nullifier_hash_plus_r_alias(env: Env) -> None:
    record = record_for(env.eth, fresh_address(), nullifier_hash=random_element() % (2**256 - R))
    raw = bytearray(record.encode())
    raw[4:36] = (record.nullifier_hash + R).to_bytes(32, "big")
    snap = Untouched(env, env.eth, [env.eth.recipient_at(record.recipient_id)], [record.nullifier_hash])
    expect_revert("NullifierNotInField", withdraw_raw, env.eth, bytes(raw))
    snap.check()


def test_rejects_batch_with_one_redirected_record(env: Env) -> None:
    good = record_for(env.eth, fresh_address())
    victim = record_for(env.eth, fresh_address())
    thief = fresh_address()
    env.eth.register_recipient(thief)
    tid = env.eth.recipient_id(thief)
    assert tid is not None
    stolen = WithdrawalRecord(victim.root_index, victim.nullifier_hash, tid, victim.proof)
    guarded(env, env.eth, [good, stolen], "InvalidProof")
    assert env.balance(thief) == 0


def test_rejects_empty_root_slot(env: Env) -> None:
    slot = env.eth.current_root_index() + 1
    assert env.eth.root_at(slot) == 0
    record = record_for(env.eth, fresh_address())
    stale = WithdrawalRecord(slot, record.nullifier_hash, record.recipient_id, record.proof)
    guarded(env, env.eth, [stale], "EmptyRootSlot")


@pytest.mark.parametrize("index", [100, 2**32 - 1])
def test_rejects_root_index_outside_ring(env: Env, index: int) -> None:
    record = record_for(env.eth, fresh_address())
    bad = WithdrawalRecord(index, record.nullifier_hash, record.recipient_id, record.proof)
    guarded(env, env.eth, [bad], "RootIndexOutOfRange")


def test_rejects_stale_root_index(env: Env) -> None:
    old = env.eth.current_root_index() - 1
    record = record_for(env.eth, fresh_address(), root_index=old)
    moved = WithdrawalRecord(old + 1, record.nullifier_hash, record.recipient_id, record.proof)
    guarded(env, env.eth, [moved], "InvalidProof")


@pytest.mark.parametrize("change", ["recipient", "relayer", "fee", "refund"])
def test_rejects_redirected_payment_with_valid_proof(env: Env, change: str) -> None:
    pool = env.erc20
    honest = {"relayer": env.relayer, "fee": 1000, "refund": 5000}
    record = record_for(pool, fresh_address(), **honest)
    sent = dict(honest)
    if change == "recipient":
        thief = fresh_address()
        pool.register_recipient(thief)
        tid = pool.recipient_id(thief)
        assert tid is not None
        record = WithdrawalRecord(record.root_index, record.nullifier_hash, tid, record.proof)
    elif change == "relayer":
        sent["relayer"] = fresh_address()
    else:
        sent[change] = int(sent[change]) + 1  # type: ignore[call-overload]
    value = int(sent["refund"])  # type: ignore[call-overload]
    guarded(env, pool, [record], "InvalidProof", value=value, **sent)


def test_honest_payment_parameters_pass_where_redirects_fail(env: Env) -> None:
    record = record_for(env.erc20, fresh_address(), relayer=env.relayer, fee=1000, refund=5000)
    env.erc20.withdraw([record], relayer=env.relayer, fee=1000, refund=5000, value=5000, gas=GAS)
    assert env.erc20.is_spent(record.nullifier_hash)


def test_rejects_fee_above_denomination(env: Env) -> None:
    fee = DENOMINATION + 1
    record = record_for(env.eth, fresh_address(), relayer=env.relayer, fee=fee)
    guarded(env, env.eth, [record], "FeeExceedsDenomination", relayer=env.relayer, fee=fee)


@pytest.mark.parametrize("value", [0, DENOMINATION - 1, DENOMINATION + 1])
def test_rejects_wrong_deposit_value(env: Env, value: int) -> None:
    commitment = random_element()
    index = env.eth.next_index()
    expect_revert("WrongValue", env.eth.deposit, commitment, value=value)
    assert env.eth.next_index() == index
    assert not env.eth.contract.functions.commitments(commitment.to_bytes(32, "big")).call()


def test_rejects_wrong_withdraw_value(env: Env) -> None:
    eth_record = record_for(env.eth, fresh_address())
    guarded(env, env.eth, [eth_record], "WrongValue", value=1)
    token_record = record_for(env.erc20, fresh_address(), refund=10)
    guarded(env, env.erc20, [token_record], "WrongValue", refund=10, value=9)


def test_rejects_duplicate_commitment(env: Env) -> None:
    commitment = random_element()
    env.eth.deposit(commitment)
    index = env.eth.next_index()
    expect_revert("DuplicateCommitment", env.eth.deposit, commitment)
    assert env.eth.next_index() == index


def test_rejects_commitment_at_or_above_r(env: Env) -> None:
    index = env.eth.next_index()
    for bad in (R, R + random_element() % (2**256 - R)):
        expect_revert("CommitmentNotInField", env.eth.deposit, bad)
    assert env.eth.next_index() == index


@pytest.mark.parametrize("length", [0, 1, RECORD_SIZE - 1, RECORD_SIZE + 1, 2 * RECORD_SIZE + 40])
def test_rejects_records_of_wrong_length(env: Env, length: int) -> None:
    record = record_for(env.eth, fresh_address())
    raw = (encode_batch([record]) * 3)[:length]
    snap = Untouched(env, env.eth, [env.eth.recipient_at(record.recipient_id)], [record.nullifier_hash])
    expect_revert("WrongRecordsLength", withdraw_raw, env.eth, raw)
    snap.check()


def _attacker(env: Env) -> tuple[str, object]:
    address = deploy_contract(env.sender, "AttackRecipient", env.eth.address).address
    return address, env.contract("AttackRecipient", address)


def test_rejects_reentrancy_from_malicious_recipient(env: Env) -> None:
    """The recipient re-enters `withdraw` with a second valid record when paid and keeps the
    payment either way: the guard, not the nullifier check, must stop it (without the guard
    the re-entry would succeed and the attacker be paid twice in one transaction)."""
    address, attacker = _attacker(env)
    record = record_for(env.eth, address)
    second = record_for(env.eth, address)
    reentry = env.eth.contract.encode_abi("withdraw", [encode_batch([second]), [], ZERO_ADDRESS, 0, 0])
    env.sender.send(attacker.functions.arm(2, reentry))  # type: ignore[attr-defined]
    env.eth.withdraw([record], gas=GAS)
    functions = attacker.functions  # type: ignore[attr-defined]
    assert functions.reentered().call() == 0
    assert functions.reentryError().call() == Web3.keccak(text="Reentrancy()")[:4]
    assert env.eth.is_spent(record.nullifier_hash) and not env.eth.is_spent(second.nullifier_hash)
    assert env.balance(address) == DENOMINATION


def test_rejects_failing_recipient_transfer(env: Env) -> None:
    address, attacker = _attacker(env)
    env.sender.send(attacker.functions.arm(1, b""))  # type: ignore[attr-defined]
    record = record_for(env.eth, address)
    guarded(env, env.eth, [record], "TransferFailed")
