"""The pool contracts on the EVM, on py-evm and on a real anvil node: the happy paths and
every attack DESIGN.md §5-6 names. Each rejected call also shows nothing was paid or spent."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import cast

import pytest
from eth_tester.exceptions import TransactionFailed
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.logs import DISCARD

from mixer.bn254 import G1_GEN, P, g1_add, g1_mul, g1_neg
from mixer.chain.backend import close, open_embedded
from mixer.chain.client import ContractReverted, Sender, named_revert
from mixer.chain.identify import NotAPoolError, describe
from mixer.chain.pool import PoolClient, deploy_contract
from mixer.chain.record import (
    NEW_RECIPIENT,
    RECORD_SIZE,
    WithdrawalRecord,
    encode_batch,
    new_recipient_id,
    proof_to_bytes,
)
from mixer.chain.reverts import REVERTS
from mixer.field import R, random_element
from mixer.merkle import ROOT_HISTORY_SIZE
from mixer.params import ZERO_ADDRESS
from mixer.snark.proof import Proof
from mixer.snark.snarkjs import proof_from_snarkjs
from tests.support.chain_nodes import anvil
from tests.support.contract_env import (
    DENOMINATION,
    DEPTH,
    SETUP_GAS,
    TOKEN_DENOMINATION,
    Env,
    deploy_env,
    fresh_address,
    record_for,
    toy_pool,
    withdraw_raw,
)
from tests.support.snarkjs_toy import prove

GAS = 600_000  # fixed gas on happy paths skips a second (slow on py-evm) pairing run


@pytest.fixture(scope="module", params=["embedded", "anvil"])
def chain(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web3]:
    """The wallet's own persistent embedded chain (py-evm), then a real node."""
    if request.param == "embedded":
        w3 = open_embedded(tmp_path_factory.mktemp("chain"))
        yield w3
        close(w3)
    else:
        with anvil() as w3:
            yield w3


@pytest.fixture(scope="module")
def env(chain: Web3) -> Env:
    return deploy_env(chain)


def expect_revert(error: str, fn: object, *args: object, **kwargs: object) -> None:
    with pytest.raises(ContractReverted) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    assert info.value.error == error


class Untouched:
    """Snapshot of balances and spent flags that must not move across a rejected call."""

    def __init__(self, env: Env, pool: PoolClient, addresses: list[str], nullifiers: list[int]) -> None:
        self.env, self.pool, self.addresses, self.nullifiers = env, pool, addresses, nullifiers
        self.before = self._state()

    def _state(self) -> tuple[object, ...]:
        watched = [*self.addresses, self.pool.address, self.env.relayer]
        return (
            [self.env.balance(a) for a in watched],
            [self.env.token_balance(a) for a in watched],
            [self.pool.is_spent(n) for n in self.nullifiers],
        )

    def check(self) -> None:
        after = self._state()
        assert after == self.before
        assert not any(after[2])


def paid_address(pool: PoolClient, record: WithdrawalRecord, new_recipients: Sequence[str]) -> str | None:
    """Who `record` would pay: a directory entry or an entry of the transaction's newRecipients."""
    if record.recipient_id & NEW_RECIPIENT:
        index = record.recipient_id & ~NEW_RECIPIENT
        return new_recipients[index] if index < len(new_recipients) else None
    count = pool.recipient_count()
    return pool.recipient_at(record.recipient_id) if record.recipient_id < count else None


def guarded(
    env: Env, pool: PoolClient, records: list[WithdrawalRecord], error: str, **kwargs: object
) -> None:
    new = cast(Sequence[str], kwargs.get("new_recipients", ()))
    recipients = [a for a in (paid_address(pool, r, new) for r in records) if a is not None]
    snap = Untouched(env, pool, recipients, [r.nullifier_hash for r in records])
    expect_revert(error, pool.withdraw, records, **kwargs)
    snap.check()


# --- happy paths -----------------------------------------------------------------------


def test_deposit_appends_leaf_and_new_root(env: Env) -> None:
    before_index, before_root = env.eth.next_index(), env.eth.last_root()
    commitment = random_element()
    receipt = env.eth.deposit(commitment).receipt
    (event,) = env.eth.contract.events.Deposit().process_receipt(receipt)
    assert event["args"]["commitment"] == commitment.to_bytes(32, "big")
    assert event["args"]["leafIndex"] == before_index
    assert env.eth.next_index() == before_index + 1
    assert env.eth.last_root() not in (before_root, 0)


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


def test_batch_registers_new_recipients_and_pays_each(env: Env) -> None:
    recipients = [fresh_address(), fresh_address()]
    first_id = int(env.eth.contract.functions.recipientCount().call())
    fee = 1000
    records = [
        record_for(env.eth, r, relayer=env.relayer, fee=fee, recipient_id=first_id + i)
        for i, r in enumerate(recipients)
    ]
    relayer_before = env.balance(env.relayer)
    env.eth.withdraw(records, new_recipients=recipients, relayer=env.relayer, fee=fee, gas=2 * GAS)
    assert [env.balance(r) for r in recipients] == [DENOMINATION - fee] * 2
    assert env.balance(env.relayer) == relayer_before + 2 * fee
    assert [env.eth.recipient_id(r) for r in recipients] == [first_id, first_id + 1]


def test_should_not_let_a_front_run_registration_redirect_or_break_a_first_time_recipients_withdrawal(
    env: Env,
) -> None:
    """Between proving and mining, an observer registers an unrelated address (shifting every
    directory id a client could have guessed) and one of the recipients itself. The records
    name their recipients as entries of the transaction's newRecipients, so both still pay."""
    pool, fee = env.eth, 1000
    recipients = [fresh_address(), fresh_address()]
    ids, new = pool.assign_recipient_ids(recipients)
    assert new == recipients and ids == [new_recipient_id(0), new_recipient_id(1)]
    guessed = pool.recipient_count()  # the id a directory guess would have given the first one
    records = [
        record_for(pool, r, relayer=env.relayer, fee=fee, recipient_id=rid)
        for r, rid in zip(recipients, ids, strict=True)
    ]
    pool.register_recipient(fresh_address())  # the front-runs, mined first
    pool.register_recipient(recipients[1])
    assert pool.recipient_at(guessed) != recipients[0]
    relayer_before = env.balance(env.relayer)
    receipt = pool.withdraw(records, new_recipients=new, relayer=env.relayer, fee=fee, gas=2 * GAS).receipt
    assert [env.balance(r) for r in recipients] == [DENOMINATION - fee] * 2
    assert env.balance(env.relayer) == relayer_before + 2 * fee
    events = pool.contract.events.Withdrawal().process_receipt(receipt, errors=DISCARD)  # skip registrations
    assert [e["args"]["to"] for e in events] == recipients
    assert all(pool.recipient_id(r) is not None for r in recipients)  # registered for next time


def test_register_recipient_is_idempotent_and_unknown_reverts(env: Env) -> None:
    who = fresh_address()
    assert env.eth.recipient_id(who) is None
    env.eth.register_recipient(who)
    rid = env.eth.recipient_id(who)
    count = env.eth.contract.functions.recipientCount().call()
    env.eth.register_recipient(who)
    assert env.eth.recipient_id(who) == rid
    assert env.eth.contract.functions.recipientCount().call() == count
    assert env.eth.recipient_at(rid) == who


def test_erc20_withdraw_pays_tokens_and_eth_refund(env: Env) -> None:
    recipient, fee, refund = fresh_address(), TOKEN_DENOMINATION // 100, 10**15
    record = record_for(env.erc20, recipient, relayer=env.relayer, fee=fee, refund=refund)
    relayer_tokens = env.token_balance(env.relayer)
    env.erc20.withdraw([record], relayer=env.relayer, fee=fee, refund=refund, value=refund, gas=GAS)
    assert env.token_balance(recipient) == TOKEN_DENOMINATION - fee
    assert env.token_balance(env.relayer) == relayer_tokens + fee
    assert env.balance(recipient) == refund
    assert env.erc20.is_spent(record.nullifier_hash)


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


def test_verifier_rejects_public_inputs_at_or_above_r(env: Env) -> None:
    verifier = env.contract("Groth16Verifier", env.eth_addresses.verifier)
    public = (random_element() % 2**200, random_element() % 2**200, random_element() % 2**200)
    proof = proof_from_snarkjs(prove(public)[0])
    assert verifier.functions.verifyProof(proof_to_bytes(proof), list(public)).call()
    for i in range(3):
        aliased = list(public)
        aliased[i] += R
        assert not verifier.functions.verifyProof(proof_to_bytes(proof), aliased).call()


def test_batch_verifier_rejects_inputs_at_or_above_r_and_misplaced_inputs(env: Env) -> None:
    verifier = env.contract("Groth16Verifier", env.eth_addresses.verifier)
    publics = [tuple(random_element() % 2**200 for _ in range(3)) for _ in range(2)]
    proofs = b"".join(proof_to_bytes(proof_from_snarkjs(p)) for p in prove(*publics))
    inputs = [x for public in publics for x in public]
    assert verifier.functions.verifyProofs(proofs, inputs).call()
    for i in range(6):
        aliased = list(inputs)
        aliased[i] += R
        assert not verifier.functions.verifyProofs(proofs, aliased).call()
    assert not verifier.functions.verifyProofs(proofs, inputs[3:] + inputs[:3]).call()
    assert not verifier.functions.verifyProofs(proofs, inputs[:3]).call()
    assert not verifier.functions.verifyProofs(proofs[:-1], inputs).call()


def test_batch_verifier_rejects_invalid_proofs_whose_errors_cancel(env: Env) -> None:
    """C1 + D and C2 - D: an unweighted sum of the batch would not notice; the random
    weights do."""
    verifier = env.contract("Groth16Verifier", env.eth_addresses.verifier)
    publics = [tuple(random_element() % 2**200 for _ in range(3)) for _ in range(2)]
    first, second = (proof_from_snarkjs(p) for p in prove(*publics))
    shift = g1_mul(G1_GEN, random_element())
    c1, c2 = g1_add(first.c, shift), g1_add(second.c, g1_neg(shift))
    assert c1 is not None and c2 is not None
    assert g1_add(c1, c2) == g1_add(first.c, second.c)  # the errors cancel in a plain sum
    bent = proof_to_bytes(Proof(first.a, first.b, c1)) + proof_to_bytes(Proof(second.a, second.b, c2))
    inputs = [x for public in publics for x in public]
    assert verifier.functions.verifyProofs(proof_to_bytes(first) + proof_to_bytes(second), inputs).call()
    assert not verifier.functions.verifyProofs(bent, inputs).call()


def test_rejects_batch_with_one_bad_proof(env: Env) -> None:
    good = record_for(env.eth, fresh_address())
    bad = record_for(env.eth, fresh_address())
    forged = WithdrawalRecord(bad.root_index, bad.nullifier_hash, bad.recipient_id, good.proof)
    guarded(env, env.eth, [good, forged], "InvalidProof")


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


def test_rejects_unknown_recipient_id(env: Env) -> None:
    count = int(env.eth.contract.functions.recipientCount().call())
    record = record_for(env.eth, fresh_address(), recipient_id=count + 5)
    snap = Untouched(env, env.eth, [], [record.nullifier_hash])
    expect_revert("UnknownRecipient", env.eth.withdraw, [record])
    snap.check()


@pytest.mark.parametrize("index", [0, 1, NEW_RECIPIENT - 1])
def test_rejects_new_recipient_index_outside_new_recipients(env: Env, index: int) -> None:
    recipient = fresh_address()
    record = record_for(env.eth, recipient, recipient_id=new_recipient_id(index))
    listed = [recipient] if index else []  # index 0 with an empty list, others one past a list
    guarded(env, env.eth, [record], "NewRecipientIndexOutOfRange", new_recipients=listed)
    assert env.eth.recipient_id(recipient) is None  # the registration was reverted too


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


def test_rejects_eth_sent_to_erc20_deposit(env: Env) -> None:
    index, tokens = env.erc20.next_index(), env.token_balance(env.erc20.address)
    expect_revert("WrongValue", env.erc20.deposit, random_element(), value=1)
    assert (env.erc20.next_index(), env.token_balance(env.erc20.address)) == (index, tokens)


def test_rejects_wrong_withdraw_value(env: Env) -> None:
    eth_record = record_for(env.eth, fresh_address())
    guarded(env, env.eth, [eth_record], "WrongValue", value=1)
    token_record = record_for(env.erc20, fresh_address(), refund=10)
    guarded(env, env.erc20, [token_record], "WrongValue", refund=10, value=9)


def test_rejects_refund_total_that_overflows(env: Env) -> None:
    """refund * count above 2^256 has its own error, not a bare arithmetic Panic."""
    record = record_for(env.erc20, fresh_address(), refund=2**255)
    guarded(env, env.erc20, [record, record], "RefundOverflow", refund=2**255, value=0)


@pytest.mark.parametrize("quirk", [2, 3, 4], ids=["false", "word-2", "one-byte"])
def test_rejects_token_that_answers_false_or_malformed(env: Env, quirk: int) -> None:
    """A token answering false, a non-boolean word or a short return is TransferFailed (never
    a decoding revert), and nothing is deposited."""
    index, tokens = env.erc20.next_index(), env.token_balance(env.erc20.address)
    env.sender.send(env.token.functions.setQuirk(quirk))
    try:
        expect_revert("TransferFailed", env.erc20.deposit, random_element(), value=0)
    finally:
        env.sender.send(env.token.functions.setQuirk(0))
    assert (env.erc20.next_index(), env.token_balance(env.erc20.address)) == (index, tokens)


def test_accepts_token_that_returns_nothing(env: Env) -> None:
    index, tokens = env.erc20.next_index(), env.token_balance(env.erc20.address)
    env.sender.send(env.token.functions.setQuirk(1))
    try:
        env.erc20.deposit(random_element(), value=0)
    finally:
        env.sender.send(env.token.functions.setQuirk(0))
    assert env.erc20.next_index() == index + 1
    assert env.token_balance(env.erc20.address) == tokens + TOKEN_DENOMINATION


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


def test_rejects_deposit_into_full_tree(env: Env) -> None:
    while env.tiny.next_index() < 2:
        env.tiny.deposit(random_element())
    balance = env.balance(env.tiny.address)
    expect_revert("TreeFull", env.tiny.deposit, random_element())
    assert env.tiny.next_index() == 2 and env.balance(env.tiny.address) == balance


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


def test_rejects_bad_proof(env: Env) -> None:
    record = record_for(env.eth, fresh_address())
    a, b, c = record.proof.a, record.proof.b, record.proof.c
    tampered = WithdrawalRecord(
        record.root_index, record.nullifier_hash, record.recipient_id, Proof(a=c, b=b, c=a)
    )
    guarded(env, env.eth, [tampered], "InvalidProof")


def test_rejects_proof_coordinate_at_or_above_q(env: Env) -> None:
    """Each of the eight proof words replaced by word + q (the same residue mod q) is refused
    as InvalidProof, alone (plain verifier) and inside a batch (batch verifier)."""
    good = record_for(env.eth, fresh_address())
    victim = record_for(env.eth, fresh_address())
    for word in range(8):
        raw = bytearray(victim.encode())
        at = 40 + 32 * word
        raw[at : at + 32] = (int.from_bytes(raw[at : at + 32], "big") + P).to_bytes(32, "big")
        watched = [env.eth.recipient_at(r.recipient_id) for r in (good, victim)]
        for batch in (bytes(raw), good.encode() + bytes(raw)):
            snap = Untouched(env, env.eth, watched, [good.nullifier_hash, victim.nullifier_hash])
            expect_revert("InvalidProof", withdraw_raw, env.eth, batch)
            snap.check()


# --- the chain client's typed results --------------------------------------------------------


def test_deposit_reports_its_leaf_and_approves_a_token_pool_when_short(env: Env) -> None:
    depositor = Sender(env.w3, env.w3.eth.accounts[2])
    env.sender.send(env.token.functions.mint(depositor.address, 2 * TOKEN_DENOMINATION))
    pool = PoolClient(depositor, env.erc20.address)
    assert pool.token() == env.token.address
    funds = pool.funds_for_deposit(depositor.address, gas=SETUP_GAS)
    assert (funds.tokens, funds.value, funds.enough_tokens) == (2 * TOKEN_DENOMINATION, 0, True)
    index = pool.next_index()
    made = pool.deposit(random_element())
    assert made.leaf_index == index and made.gas_used == made.receipt["gasUsed"] > 0
    assert made.approval is not None and [tx.step for tx in made.transactions] == ["approve", "deposit"]
    assert pool.balance_of(depositor.address) == TOKEN_DENOMINATION
    eth_pool = PoolClient(depositor, env.eth.address)
    assert eth_pool.token() is None
    commitment = random_element()
    assert not eth_pool.has_commitment(commitment)
    plain = eth_pool.deposit(commitment, gas=SETUP_GAS)
    assert plain.approval is None and [tx.step for tx in plain.transactions] == ["deposit"]
    assert eth_pool.has_commitment(commitment)
    assert eth_pool.funds_for_deposit(depositor.address, gas=1).value == DENOMINATION


def test_describe_reads_a_pool_and_refuses_anything_else(env: Env) -> None:
    info = describe(env.sender, env.eth.address, deploy_block=3)
    assert (info.hash, info.currency, info.amount, info.depth, info.token) == (
        "poseidon",
        "eth",
        "0.1",
        DEPTH,
        None,
    )
    assert (info.verifier, info.deploy_block) == (env.eth_addresses.verifier, 3)
    token_pool = describe(env.sender, env.erc20.address)
    assert (token_pool.token, token_pool.amount) == (env.token.address, "1000")
    with pytest.raises(NotAPoolError, match="not a mixer pool"):
        describe(env.sender, env.token.address)
    with pytest.raises(NotAPoolError, match="no contract"):
        describe(env.sender, fresh_address())


def test_a_revert_reads_as_its_sentence() -> None:
    assert str(ContractReverted("NullifierSpent")) == REVERTS["NullifierSpent"]
    assert str(ContractReverted("Novel", "detail")) == "contract reverted: Novel detail"
