"""ERC20Pool on the EVM (py-evm and anvil): token payouts with an ETH refund, and tokens that
misbehave (answer false, a malformed word or nothing). Rejected calls move no tokens."""

from __future__ import annotations

import pytest

from mixer.field import random_element
from tests.support.contract_checks import GAS, expect_revert, guarded
from tests.support.contract_env import TOKEN_DENOMINATION, Env, fresh_address, record_for


def test_erc20_withdraw_pays_tokens_and_eth_refund(env: Env) -> None:
    recipient, fee, refund = fresh_address(), TOKEN_DENOMINATION // 100, 10**15
    record = record_for(env.erc20, recipient, relayer=env.relayer, fee=fee, refund=refund)
    relayer_tokens = env.token_balance(env.relayer)
    env.erc20.withdraw([record], relayer=env.relayer, fee=fee, refund=refund, value=refund, gas=GAS)
    assert env.token_balance(recipient) == TOKEN_DENOMINATION - fee
    assert env.token_balance(env.relayer) == relayer_tokens + fee
    assert env.balance(recipient) == refund
    assert env.erc20.is_spent(record.nullifier_hash)


def test_rejects_eth_sent_to_erc20_deposit(env: Env) -> None:
    index, tokens = env.erc20.next_index(), env.token_balance(env.erc20.address)
    expect_revert("WrongValue", env.erc20.deposit, random_element(), value=1)
    assert (env.erc20.next_index(), env.token_balance(env.erc20.address)) == (index, tokens)


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
