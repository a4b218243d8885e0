"""A deployed set of pools on one chain, and helpers to build withdrawals with snarkjs proofs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from eth_account import Account
from web3 import Web3
from web3.contract import Contract

from mixer.chain.artifacts import load
from mixer.chain.client import Sender
from mixer.chain.pool import DeployedPool, PoolClient, deploy_contract, deploy_pool, vk_words
from mixer.chain.record import WithdrawalRecord
from mixer.extdata import ExtData
from mixer.field import random_element
from mixer.params import ZERO_ADDRESS
from mixer.snark.snarkjs import proof_from_snarkjs, vk_from_snarkjs
from tests.support.snarkjs_toy import prove, verification_key

DENOMINATION = 10**17
TOKEN_DENOMINATION = 1000 * 10**18
DEPTH = 5
SETUP_GAS = 1_000_000  # fixed gas for setup deposits: one EVM run each instead of two


@dataclass
class Env:
    w3: Web3
    sender: Sender
    relayer: str
    eth: PoolClient
    eth_addresses: DeployedPool
    erc20: PoolClient
    token: Contract
    tiny: PoolClient

    def contract(self, name: str, address: str) -> Contract:
        return cast(Contract, self.w3.eth.contract(address=address, abi=load(name).abi))  # type: ignore[call-overload]

    def balance(self, address: str) -> int:
        return int(self.w3.eth.get_balance(address))  # type: ignore[arg-type]

    def token_balance(self, address: str) -> int:
        return int(self.token.functions.balanceOf(address).call())


def deploy_env(w3: Web3) -> Env:
    accounts = list(w3.eth.accounts)
    sender = Sender(w3, accounts[0])
    vk = vk_words(vk_from_snarkjs(verification_key()))
    eth = deploy_pool(sender, hasher="poseidon", verifying_key=vk, denomination=DENOMINATION, levels=DEPTH)
    token_address = deploy_contract(sender, "TestToken").address
    erc20 = deploy_pool(
        sender,
        hasher="poseidon",
        verifying_key=vk,
        denomination=TOKEN_DENOMINATION,
        levels=DEPTH,
        token=token_address,
    )
    tiny = toy_pool(sender, levels=1)
    env = Env(
        w3=w3,
        sender=sender,
        relayer=accounts[1],
        eth=PoolClient(sender, eth.pool),
        eth_addresses=eth,
        erc20=PoolClient(sender, erc20.pool),
        token=w3.eth.contract(address=token_address, abi=load("TestToken").abi),  # type: ignore[call-overload]
        tiny=tiny,
    )
    sender.send(env.token.functions.mint(accounts[0], 100 * TOKEN_DENOMINATION))
    sender.send(env.token.functions.approve(erc20.pool, 2**256 - 1))
    # enough liquidity for every successful withdrawal in the suite, in any test order
    for _ in range(12):
        env.eth.deposit(random_element(), gas=SETUP_GAS)
    for _ in range(6):
        env.erc20.deposit(random_element(), value=0, gas=SETUP_GAS)
    return env


def toy_pool(sender: Sender, *, levels: int) -> PoolClient:
    """A fresh Poseidon ETH pool of depth `levels` that accepts the toy circuit's proofs."""
    vk = vk_words(vk_from_snarkjs(verification_key()))
    addresses = deploy_pool(
        sender, hasher="poseidon", verifying_key=vk, denomination=DENOMINATION, levels=levels
    )
    return PoolClient(sender, addresses.pool)


def withdraw_raw(pool: PoolClient, data: bytes) -> None:
    """`withdraw(data, [], 0, 0, 0)` with `data` as given: the malformed batches that
    `PoolClient.withdraw`, which takes only well-formed records, cannot express."""
    pool.sender.send(pool.contract.functions.withdraw(data, [], ZERO_ADDRESS, 0, 0), abi=pool.abi)


def fresh_address() -> str:
    return str(Account.create().address)


def record_for(
    pool: PoolClient,
    recipient: str,
    *,
    relayer: str = ZERO_ADDRESS,
    fee: int = 0,
    refund: int = 0,
    nullifier_hash: int | None = None,
    root_index: int | None = None,
    recipient_id: int | None = None,
) -> WithdrawalRecord:
    """A record with a valid proof for (recipient, relayer, fee, refund) against a pool root."""
    if root_index is None:
        root_index = pool.current_root_index()
    if recipient_id is None:
        known = pool.recipient_id(recipient)
        if known is None:
            pool.register_recipient(recipient)
            known = pool.recipient_id(recipient)
        assert known is not None
        recipient_id = known
    nh = random_element() if nullifier_hash is None else nullifier_hash
    ext = ExtData(recipient, relayer, fee, refund).hash()
    proof: dict[str, Any] = prove((pool.root_at(root_index), nh, ext))[0]
    return WithdrawalRecord(root_index, nh, recipient_id, proof_from_snarkjs(proof))
