"""Deploying a pool (hasher + verifier + pool) and calling it: deposit, register, withdraw.

Every call that sends returns a typed result (`Transaction`, `Deposit`, `Deployed`,
`DeployedPool`) holding the receipts; reverts are `ContractReverted`, named and worded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import TxReceipt

from mixer.chain.artifacts import load
from mixer.chain.client import READ_ERRORS, REVERT_ERRORS, Sender, SignedTx, Transaction, named_revert
from mixer.chain.erc20 import ERC20
from mixer.chain.record import WithdrawalRecord, encode_batch, new_recipient_id
from mixer.params import HASH_FAMILIES, ZERO_ADDRESS
from mixer.snark import VerifyingKey

HASHER_CONTRACTS: Final = dict(zip(HASH_FAMILIES, ("PoseidonHasher", "MiMCHasher"), strict=True))
"""Our hash names (as in notes) -> the shipped hasher contract."""


@dataclass(frozen=True)
class Deployed:
    """A contract deployed by `deploy_contract`."""

    address: str
    transaction: Transaction


def deploy_contract(sender: Sender, name: str, *args: Any, step: str | None = None) -> Deployed:
    """Deploy the shipped artifact `name` with constructor `args`."""
    art = load(name)
    factory = sender.w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    receipt = sender.send(factory.constructor(*args), abi=art.abi)
    address = receipt["contractAddress"]
    assert address is not None
    return Deployed(str(address), Transaction(step or f"deploy {name}", receipt))


VK_WORD_NAMES: Final = (
    *("alphaX", "alphaY"),
    *(f"{point}{axis}{part}" for point in ("beta", "gamma", "delta") for axis in "XY" for part in "10"),
    *(f"ic{i}{axis}" for i in range(4) for axis in "XY"),
)
"""The verifier's immutables holding `vk_words`, in the same order."""


def vk_words(vk: VerifyingKey) -> list[int]:
    """The verifier contract's 22 constructor words for `vk` (three public inputs):
    alpha, beta, gamma, delta, IC[0..3], G2 coordinates imaginary part first (EIP-197)."""
    if vk.n_public != 3:
        raise ValueError("the withdrawal verifier takes exactly three public inputs")
    alpha, beta, gamma, delta = vk.alpha1, vk.beta2, vk.gamma2, vk.delta2
    if alpha is None or beta is None or gamma is None or delta is None or None in vk.ic:
        raise ValueError("a verifying key point is at infinity")
    words = list(alpha)
    for (x0, x1), (y0, y1) in (beta, gamma, delta):
        words += [x1, x0, y1, y0]
    for point in vk.ic:
        assert point is not None
        words += point
    return words


def vk_from_words(words: Sequence[int]) -> VerifyingKey:
    """The verifying key whose `vk_words` are `words` (e.g. read from a verifier's code by
    `identify.verifier_key`); ValueError for a list that is not 22 words."""
    if len(words) != len(VK_WORD_NAMES):
        raise ValueError(f"a withdrawal verifying key is {len(VK_WORD_NAMES)} words, got {len(words)}")
    w = list(words)

    def g2(i: int) -> Any:
        return ((w[i + 1], w[i]), (w[i + 3], w[i + 2]))

    ic = tuple((w[i], w[i + 1]) for i in range(14, 22, 2))
    return VerifyingKey(alpha1=(w[0], w[1]), beta2=g2(2), gamma2=g2(6), delta2=g2(10), ic=ic)


@dataclass(frozen=True)
class DeployedPool:
    pool: str
    hasher: str
    verifier: str
    token: str | None
    transactions: tuple[Transaction, ...]
    """deploy hasher, deploy verifier, deploy pool."""

    @property
    def block(self) -> int:
        """The pool's deployment block: its events start there."""
        return self.transactions[-1].block


def deploy_pool(
    sender: Sender,
    *,
    hasher: str,
    verifying_key: Sequence[int],
    denomination: int,
    levels: int = 20,
    token: str | None = None,
) -> DeployedPool:
    """Deploy a fresh hasher, verifier (`verifying_key` as `vk_words`) and ETH pool, or an
    ERC20 pool when `token` is given."""
    if hasher not in HASHER_CONTRACTS:
        raise ValueError(f"unknown hasher {hasher!r}; expected one of {sorted(HASHER_CONTRACTS)}")
    hasher_contract = deploy_contract(sender, HASHER_CONTRACTS[hasher], step="deploy hasher")
    verifier = deploy_contract(sender, "Groth16Verifier", list(verifying_key), step="deploy verifier")
    args = (verifier.address, hasher_contract.address, denomination, levels)
    if token is None:
        pool = deploy_contract(sender, "ETHPool", *args, step="deploy pool")
    else:
        pool = deploy_contract(sender, "ERC20Pool", *args, token, step="deploy pool")
    return DeployedPool(
        pool.address,
        hasher_contract.address,
        verifier.address,
        token,
        (hasher_contract.transaction, verifier.transaction, pool.transaction),
    )


@dataclass(frozen=True)
class Deposit:
    """A mined deposit: its transaction, the leaf it filled, and the token approval sent first."""

    transaction: Transaction
    leaf_index: int
    approval: Transaction | None = None

    @property
    def receipt(self) -> TxReceipt:
        return self.transaction.receipt

    @property
    def gas_used(self) -> int:
        return self.transaction.gas_used

    @property
    def transactions(self) -> tuple[Transaction, ...]:
        """Everything sent, in order (approve, deposit)."""
        return (self.transaction,) if self.approval is None else (self.approval, self.transaction)


@dataclass(frozen=True)
class DepositFunds:
    """What an account has and what a deposit takes from it (`PoolClient.funds_for_deposit`)."""

    eth: int
    """The account's ETH balance (wei)."""
    value: int
    """ETH the deposit sends: the denomination of an ETH pool, 0 for a token pool."""
    gas_cost: int
    """The most the deposit's gas can cost at today's gas price."""
    tokens: int | None
    """A token pool: the account's token balance (the deposit takes `denomination`)."""
    denomination: int

    @property
    def enough_eth(self) -> bool:
        return self.eth >= self.value + self.gas_cost

    @property
    def enough_tokens(self) -> bool:
        return self.tokens is None or self.tokens >= self.denomination


class PoolClient:
    """One deployed pool seen from one sender."""

    def __init__(self, sender: Sender, address: str) -> None:
        self.sender = sender
        self.abi = load("ERC20Pool").abi
        self.contract: Contract = sender.w3.eth.contract(address=address, abi=self.abi)  # type: ignore[call-overload]
        self._token: tuple[str | None] | None = None

    @property
    def address(self) -> str:
        return str(self.contract.address)

    def _send(self, step: str, call: Any, **kwargs: Any) -> Transaction:
        return Transaction(step, self.sender.send(call, abi=self.abi, **kwargs))

    # -- sending ---------------------------------------------------------------------------

    def deposit(
        self,
        commitment: int,
        *,
        value: int | None = None,
        gas: int | None = None,
        dry_run: bool = False,
        approve: bool = True,
        on_raw: Callable[[bytes], None] | None = None,
    ) -> Deposit:
        """Deposit `commitment`. `value` defaults to what the pool takes (its denomination for
        an ETH pool, nothing for a token pool); a token pool is first approved for the
        denomination when its allowance is short (unless `approve` is false).

        `gas`, `dry_run` and `on_raw` are as in `Sender.send`.
        """
        token = self.token()
        denomination = self.denomination()
        if value is None:
            value = denomination if token is None else 0
        approval = None
        if token is not None and approve:
            erc20 = ERC20(self.sender, token)
            if erc20.allowance(self.sender.address, self.address) < denomination:
                approval = erc20.approve(self.sender, self.address, denomination)
        call = self.contract.functions.deposit(commitment.to_bytes(32, "big"))
        tx = self._send("deposit", call, value=value, gas=gas, dry_run=dry_run, on_raw=on_raw)
        events = self.contract.events.Deposit().process_receipt(tx.receipt, errors=DISCARD)  # token logs too
        return Deposit(tx, int(events[0]["args"]["leafIndex"]), approval)

    def register_recipient(self, recipient: str) -> Transaction:
        return self._send("register recipient", self.contract.functions.registerRecipient(recipient))

    def withdraw(
        self,
        records: Sequence[WithdrawalRecord],
        *,
        new_recipients: Sequence[str] = (),
        relayer: str = ZERO_ADDRESS,
        fee: int = 0,
        refund: int = 0,
        value: int | None = None,
        gas: int | None = None,
        dry_run: bool = False,
    ) -> Transaction:
        """Send one record (a direct withdrawal) or many (a relayer's batch) in one transaction.

        `value` defaults to what the pool expects, `refund` per record; `gas` and `dry_run`
        are as in `Sender.send`.
        """
        if value is None:
            value = refund * len(records)
        call = self._withdraw_call(records, new_recipients, relayer, fee, refund)
        return self._send("withdraw", call, value=value, gas=gas, dry_run=dry_run)

    def _withdraw_call(
        self,
        records: Sequence[WithdrawalRecord],
        new_recipients: Sequence[str],
        relayer: str,
        fee: int,
        refund: int,
    ) -> Any:
        batch = encode_batch(records)
        return self.contract.functions.withdraw(batch, list(new_recipients), relayer, fee, refund)

    def simulate_withdraw(
        self,
        records: Sequence[WithdrawalRecord],
        *,
        new_recipients: Sequence[str] = (),
        relayer: str = ZERO_ADDRESS,
        fee: int = 0,
        refund: int = 0,
        gas: int | None = None,
    ) -> None:
        """Execute the withdrawal once with `eth_call` from this sender, sending nothing;
        ContractReverted (named) if it would revert."""
        call = self._withdraw_call(records, new_recipients, relayer, fee, refund)
        params: dict[str, Any] = {"from": self.sender.address, "value": refund * len(records)}
        if gas is not None:
            params["gas"] = gas
        try:
            call.call(params)
        except REVERT_ERRORS as exc:
            raise named_revert(exc, self.abi) from None

    def sign_withdraw(
        self,
        records: Sequence[WithdrawalRecord],
        *,
        new_recipients: Sequence[str] = (),
        relayer: str = ZERO_ADDRESS,
        fee: int = 0,
        refund: int = 0,
        nonce: int,
        gas: int,
        gas_price: int,
    ) -> SignedTx:
        """The withdrawal signed with this nonce and gas price, not broadcast (`Sender.sign`)."""
        call = self._withdraw_call(records, new_recipients, relayer, fee, refund)
        return self.sender.sign(call, nonce=nonce, gas=gas, gas_price=gas_price, value=refund * len(records))

    # -- reading ---------------------------------------------------------------------------

    def token(self) -> str | None:
        """The ERC20 token of a token pool; None for an ETH pool (which has no `token()`)."""
        if self._token is None:
            try:
                address = str(self.contract.functions.token().call())
            except READ_ERRORS:
                address = ZERO_ADDRESS
            self._token = (None if address == ZERO_ADDRESS else address,)
        return self._token[0]

    def balance_of(self, address: str) -> int:
        """`address`'s balance in the pool's currency (wei, or the token's smallest unit)."""
        token = self.token()
        return (
            self.sender.balance(address) if token is None else ERC20(self.sender, token).balance_of(address)
        )

    def funds_for_deposit(self, address: str, *, gas: int) -> DepositFunds:
        """What `address` has, and what a deposit with gas limit `gas` would take from it."""
        token = self.token()
        denomination = self.denomination()
        return DepositFunds(
            eth=self.sender.balance(address),
            value=denomination if token is None else 0,
            gas_cost=gas * self.sender.gas_price(),
            tokens=None if token is None else ERC20(self.sender, token).balance_of(address),
            denomination=denomination,
        )

    def has_commitment(self, commitment: int) -> bool:
        """Whether `commitment` was deposited (the pool accepts each commitment once).

        A question keyed by a note: the wallet never asks it (it reads the synced Deposit
        events, `SyncedPool.deposit_of`); see docs/threat-model.md."""
        return bool(self.contract.functions.commitments(commitment.to_bytes(32, "big")).call())

    def denomination(self) -> int:
        return int(self.contract.functions.denomination().call())

    def next_index(self) -> int:
        return int(self.contract.functions.nextIndex().call())

    def current_root_index(self) -> int:
        return int(self.contract.functions.currentRootIndex().call())

    def root_at(self, index: int) -> int:
        return int.from_bytes(self.contract.functions.roots(index).call(), "big")

    def last_root(self) -> int:
        return self.root_at(self.current_root_index())

    def is_spent(self, nullifier_hash: int) -> bool:
        """Whether `nullifier_hash` is spent. Keyed by a note: the wallet reads its notes'
        state from the synced Withdrawal events (`SyncedPool.withdrawal_of`) instead; only
        `mixer relay` asks it, about records it is about to publish (docs/threat-model.md)."""
        return bool(self.contract.functions.isSpent(nullifier_hash.to_bytes(32, "big")).call())

    def levels(self) -> int:
        return int(self.contract.functions.levels().call())

    # -- the recipient directory -------------------------------------------------------------

    def recipient_id(self, recipient: str) -> int | None:
        """The directory id of `recipient`, or None when it was never registered. Asked by a
        relayer about records it is about to send; a withdrawing wallet does not ask it (its
        record names the recipient as `newRecipients[0]`, docs/threat-model.md)."""
        try:
            return int(self.contract.functions.recipientId(recipient).call())
        except REVERT_ERRORS as exc:
            named = named_revert(exc, self.abi)
            if named.error == "UnknownRecipient":
                return None
            raise named from None

    def recipient_at(self, recipient_id: int) -> str:
        return str(self.contract.functions.recipientAt(recipient_id).call())

    def recipient_count(self) -> int:
        return int(self.contract.functions.recipientCount().call())

    def assign_recipient_ids(self, recipients: Sequence[str]) -> tuple[list[int], list[str]]:
        """Record ids for `recipients` and the `newRecipients` the withdrawal must pass.

        A known address gets its directory id; an unknown one gets `new_recipient_id(i)`,
        pointing at entry i of the returned list, which the same transaction passes as
        `withdraw(..., newRecipients)`. That id does not depend on the directory, so a
        registration front-run between proving and mining cannot redirect or break it.
        """
        ids: list[int] = []
        new: list[str] = []
        assigned: dict[str, int] = {}
        for address in recipients:
            key = Web3.to_checksum_address(address)
            if key not in assigned:
                known = self.recipient_id(key)
                if known is None:
                    known = new_recipient_id(len(new))
                    new.append(key)
                assigned[key] = known
            ids.append(assigned[key])
        return ids, new

    def repoint(
        self, records: Sequence[WithdrawalRecord], recipients: Sequence[str]
    ) -> tuple[list[WithdrawalRecord], list[str]]:
        """`records` (record i paying `recipients[i]`) re-pointed for one transaction, and the
        `newRecipients` it must pass. A record's recipientId is only a pointer (the proof binds
        the address), so records printed apart, each naming its own recipient as
        `newRecipients[0]`, can share a transaction this way."""
        ids, new = self.assign_recipient_ids(recipients)
        batch = [dataclasses.replace(r, recipient_id=i) for r, i in zip(records, ids, strict=True)]
        return batch, new
