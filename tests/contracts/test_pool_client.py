"""mixer.chain's pool client against the deployed contracts (py-evm and anvil): typed deposit
results with the token approval, `describe` of a pool, reverts as sentences."""

from __future__ import annotations

import pytest

from mixer.chain.client import ContractReverted, Sender
from mixer.chain.identify import NotAPoolError, describe
from mixer.chain.pool import PoolClient
from mixer.chain.reverts import REVERTS
from mixer.field import random_element
from tests.support.contract_env import DENOMINATION, DEPTH, SETUP_GAS, TOKEN_DENOMINATION, Env, fresh_address


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
