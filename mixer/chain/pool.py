"""Deploying a pool (hasher + verifier + pool) and calling it: deposit, register, withdraw."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_tester.exceptions import TransactionFailed
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.types import TxReceipt

from mixer.chain.artifacts import load
from mixer.chain.client import Sender
from mixer.chain.record import WithdrawalRecord, encode_batch, new_recipient_id
from mixer.params import ZERO_ADDRESS

HASHER_CONTRACTS = {"poseidon": "PoseidonHasher", "mimcsponge": "MiMCHasher"}


def deploy_contract(sender: Sender, name: str, *args: Any) -> str:
    """Deploy the shipped artifact `name` with constructor `args`; returns its address."""
    art = load(name)
    factory = sender.w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    receipt = sender.send(factory.constructor(*args), abi=art.abi)
    address = receipt["contractAddress"]
    assert address is not None
    return str(address)


def vk_words(vk: dict[str, Any]) -> list[int]:
    """The verifier's 22 constructor words from a snarkjs verification_key.json (nPublic = 3)."""
    if int(vk.get("nPublic", -1)) != 3 or len(vk["IC"]) != 4:
        raise ValueError("the withdrawal verifier takes exactly three public inputs")

    def g1(p: Sequence[str]) -> list[int]:
        return [int(p[0]), int(p[1])]

    def g2(p: Sequence[Sequence[str]]) -> list[int]:
        return [int(p[0][1]), int(p[0][0]), int(p[1][1]), int(p[1][0])]

    words = g1(vk["vk_alpha_1"]) + g2(vk["vk_beta_2"]) + g2(vk["vk_gamma_2"]) + g2(vk["vk_delta_2"])
    for point in vk["IC"]:
        words += g1(point)
    return words


@dataclass(frozen=True)
class PoolAddresses:
    pool: str
    hasher: str
    verifier: str
    token: str | None = None


def deploy_pool(
    sender: Sender,
    *,
    hasher: str,
    verifying_key: Sequence[int],
    denomination: int,
    levels: int = 20,
    token: str | None = None,
) -> PoolAddresses:
    """Deploy a fresh hasher, verifier and ETH pool (or ERC20 pool when `token` is given)."""
    if hasher not in HASHER_CONTRACTS:
        raise ValueError(f"unknown hasher {hasher!r}; expected one of {sorted(HASHER_CONTRACTS)}")
    hasher_address = deploy_contract(sender, HASHER_CONTRACTS[hasher])
    verifier = deploy_contract(sender, "Groth16Verifier", list(verifying_key))
    if token is None:
        pool = deploy_contract(sender, "ETHPool", verifier, hasher_address, denomination, levels)
    else:
        pool = deploy_contract(sender, "ERC20Pool", verifier, hasher_address, denomination, levels, token)
    return PoolAddresses(pool, hasher_address, verifier, token)


class PoolClient:
    """One deployed pool seen from one sender."""

    def __init__(self, sender: Sender, address: str) -> None:
        self.sender = sender
        self.abi = load("ERC20Pool").abi
        self.contract: Contract = sender.w3.eth.contract(address=address, abi=self.abi)  # type: ignore[call-overload]

    @property
    def address(self) -> str:
        return str(self.contract.address)

    def _send(
        self,
        call: Any,
        value: int = 0,
        on_raw: Callable[[bytes], None] | None = None,
        gas: int | None = None,
    ) -> TxReceipt:
        return self.sender.send(call, value=value, abi=self.abi, on_raw=on_raw, gas=gas)

    def deposit(
        self,
        commitment: int,
        value: int | None = None,
        *,
        gas: int | None = None,
        on_raw: Callable[[bytes], None] | None = None,
    ) -> TxReceipt:
        """Deposit `commitment`; `value` defaults to the denomination (pass 0 for ERC20 pools).

        A fixed `gas` skips the estimating dry run (a failure then surfaces only as a failed
        transaction); `on_raw` sees the signed transaction before it is broadcast.
        """
        if value is None:
            value = self.denomination()
        call = self.contract.functions.deposit(commitment.to_bytes(32, "big"))
        return self._send(call, value, on_raw=on_raw, gas=gas)

    def register_recipient(self, recipient: str) -> TxReceipt:
        return self._send(self.contract.functions.registerRecipient(recipient))

    def withdraw(
        self,
        records: Sequence[WithdrawalRecord] | bytes,
        *,
        new_recipients: Sequence[str] = (),
        relayer: str = ZERO_ADDRESS,
        fee: int = 0,
        refund: int = 0,
        value: int = 0,
        gas: int | None = None,
    ) -> TxReceipt:
        """Send one record (a direct withdrawal) or many (a relayer's batch) in one transaction.

        With `gas` unset the call is first estimated, which names any revert; a fixed `gas`
        skips that dry run (a failure then surfaces only as a failed transaction).
        """
        data = records if isinstance(records, bytes) else encode_batch(records)
        call = self.contract.functions.withdraw(data, list(new_recipients), relayer, fee, refund)
        return self.sender.send(call, value=value, gas=gas, abi=self.abi)

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
        return bool(self.contract.functions.isSpent(nullifier_hash.to_bytes(32, "big")).call())

    def recipient_id(self, recipient: str) -> int | None:
        """The directory id of `recipient`, or None when it was never registered."""
        try:
            return int(self.contract.functions.recipientId(recipient).call())
        except (ContractCustomError, ContractLogicError, TransactionFailed) as exc:
            named = Sender._named(exc, self.abi)
            if named.error == "UnknownRecipient":
                return None
            raise named from None

    def recipient_at(self, recipient_id: int) -> str:
        return str(self.contract.functions.recipientAt(recipient_id).call())

    def recipient_count(self) -> int:
        return int(self.contract.functions.recipientCount().call())

    def assign_recipient_ids(self, recipients: Sequence[str]) -> tuple[list[int], list[str]]:
        """Record ids for `recipients` and the addresses the withdrawal must register first.

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

    def levels(self) -> int:
        return int(self.contract.functions.levels().call())
