"""RecipientDirectory, through the pool's withdrawals, on the EVM (py-evm and anvil): ids of
registered recipients, first-time recipients named within the transaction, front-running."""

from __future__ import annotations

import pytest
from web3.logs import DISCARD

from mixer.chain.record import NEW_RECIPIENT, new_recipient_id
from tests.support.contract_checks import GAS, Untouched, expect_revert, guarded
from tests.support.contract_env import DENOMINATION, Env, fresh_address, record_for


def test_batch_pays_new_recipients_without_registering_them(env: Env) -> None:
    """A private recipient is fresh and paid once: registering it would cost two new storage
    slots for nothing, so `newRecipients` are paid, not registered."""
    recipients = [fresh_address(), fresh_address()]
    count = env.eth.recipient_count()
    fee = 1000
    records = [
        record_for(env.eth, r, relayer=env.relayer, fee=fee, recipient_id=new_recipient_id(i))
        for i, r in enumerate(recipients)
    ]
    relayer_before = env.balance(env.relayer)
    env.eth.withdraw(records, new_recipients=recipients, relayer=env.relayer, fee=fee, gas=2 * GAS)
    assert [env.balance(r) for r in recipients] == [DENOMINATION - fee] * 2
    assert env.balance(env.relayer) == relayer_before + 2 * fee
    assert [env.eth.recipient_id(r) for r in recipients] == [None, None]
    assert env.eth.recipient_count() == count


def test_rejects_the_zero_address_as_a_new_recipient(env: Env) -> None:
    zero = "0x" + "00" * 20
    record = record_for(env.eth, zero, recipient_id=new_recipient_id(0))
    guarded(env, env.eth, [record], "ZeroRecipient", new_recipients=[zero])


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
    events = pool.contract.events.Withdrawal().process_receipt(receipt, errors=DISCARD)
    assert [e["args"]["to"] for e in events] == recipients
    assert pool.recipient_id(recipients[0]) is None  # paid, not registered


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
    assert env.eth.recipient_id(recipient) is None
