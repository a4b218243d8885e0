"""Reading a chain, sending transactions and naming reverts, the same way on every backend.

`Chain` reads (balances, code, transactions, blocks); `Sender` is a `Chain` with an
account that signs. Every transaction of this package goes out through `Sender.send`, and
every revert comes back as a `ContractReverted` whose message is the sentence of
`mixer.chain.reverts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_utils.crypto import keccak
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, TransactionNotFound, Web3Exception
from web3.types import TxParams, TxReceipt

from mixer.chain.reverts import revert_message
from mixer.errors import MixerError

REVERT_ERRORS: tuple[type[Exception], ...] = (ContractCustomError, ContractLogicError)
"""What a reverting call or estimate of one of our contracts raises (the embedded chain's
provider raises the same, see `mixer.chain.embedded`)."""
READ_ERRORS: tuple[type[Exception], ...] = (Web3Exception, ValueError, OverflowError)
"""What a failed read-only call to any contract raises (a revert, a missing function, an
undecodable answer), depending on the backend."""


class ChainError(MixerError):
    """A transaction that could not be sent or did not succeed."""


class ContractReverted(ChainError):
    """A call reverted; `error` is the contract's custom error name when it has one, and the
    message is the sentence users read (`mixer.chain.reverts`)."""

    def __init__(self, error: str, detail: str = "") -> None:
        super().__init__(revert_message(error, detail))
        self.error = error


def error_selectors(abi: list[dict[str, Any]]) -> dict[str, str]:
    """0x-prefixed 4-byte selector -> custom error name."""
    out = {}
    for item in abi:
        if item.get("type") == "error":
            sig = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            out["0x" + keccak(text=sig)[:4].hex()] = item["name"]
    return out


def _revert_data(exc: Exception) -> str:
    """The 0x-hex revert data carried by web3's exceptions."""
    data = getattr(exc, "data", None)
    if isinstance(data, str):
        return data
    if isinstance(data, dict):
        inner = data.get("data")
        if isinstance(inner, str):
            return inner
    return ""


def named_revert(exc: Exception, abi: list[dict[str, Any]] | None) -> ContractReverted:
    """The revert `exc` (one of `REVERT_ERRORS`) named by the custom errors of `abi`."""
    name = error_selectors(abi or []).get(_revert_data(exc)[:10])
    if name is not None:
        return ContractReverted(name)
    return ContractReverted("unknown", str(exc))


@dataclass(frozen=True)
class Transaction:
    """One mined transaction that this package sent: what it did, and its receipt."""

    step: str
    """What it did, e.g. "deposit", "approve", "deploy pool"."""
    receipt: TxReceipt

    @property
    def hash(self) -> str:
        return "0x" + bytes(self.receipt["transactionHash"]).hex()

    @property
    def gas_used(self) -> int:
        return int(self.receipt["gasUsed"])

    @property
    def block(self) -> int:
        return int(self.receipt["blockNumber"])


@dataclass(frozen=True)
class SignedTx:
    """A transaction signed but not yet broadcast (`Sender.sign`): a relayer stores it (and
    its hash) before broadcasting, so a crash in between cannot lose track of it."""

    raw: bytes
    hash: str
    """0x-hex keccak of `raw`: the transaction hash the chain will know it by."""
    nonce: int
    gas_price: int


@dataclass
class Chain:
    """Read-only questions to a chain."""

    w3: Web3

    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def block_number(self) -> int:
        return int(self.w3.eth.block_number)

    def block_timestamp(self, number: int) -> int:
        return int(self.w3.eth.get_block(number)["timestamp"])

    def accounts(self) -> list[str]:
        """The node's unlocked accounts (the embedded chain's funded dev accounts)."""
        return [str(a) for a in self.w3.eth.accounts]

    def has_code(self, address: str) -> bool:
        """Whether a contract lives at `address` (a pool of a deleted embedded chain does not)."""
        return bool(self.code(address))

    def code(self, address: str) -> bytes:
        """The deployed code at `address` (empty for an account without code)."""
        return bytes(self.w3.eth.get_code(address))  # type: ignore[arg-type]

    def balance(self, address: str) -> int:
        """ETH balance in wei."""
        return int(self.w3.eth.get_balance(address))  # type: ignore[arg-type]

    def gas_price(self) -> int:
        return int(self.w3.eth.gas_price)

    def pending_nonce(self, address: str) -> int:
        """The nonce of `address`'s next transaction, counting those still in the mempool."""
        return int(self.w3.eth.get_transaction_count(address, "pending"))  # type: ignore[arg-type]

    def broadcast(self, raw: bytes) -> str:
        """Hand a signed transaction to the node; its 0x-hex hash. ChainError (the node's own
        words) if the node refuses it (nonce too low, underpriced replacement, ...)."""
        try:
            return "0x" + bytes(self.w3.eth.send_raw_transaction(raw)).hex()
        except (Web3Exception, ValueError) as exc:
            raise ChainError(f"the node refused the transaction: {exc}") from None

    def receipt(self, tx_hash: str) -> TxReceipt | None:
        """The receipt of a mined transaction; None while it is pending or unknown."""
        try:
            return self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except (TransactionNotFound, ValueError):
            return None

    def knows(self, tx_hash: str) -> bool:
        """Whether the node has transaction `tx_hash`, pending or mined."""
        try:
            self.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        except (TransactionNotFound, ValueError):
            return False
        return True


@dataclass
class Sender(Chain):
    """Who signs: an unlocked node account (dev chains) or a local private key."""

    address: str
    private_key: bytes | None = None

    def sign(self, call: Any, *, nonce: int, gas: int, gas_price: int, value: int = 0) -> SignedTx:
        """Sign `call` (a web3 contract function) as a legacy transaction with this exact
        `nonce`, `gas` and `gas_price`, without broadcasting it (`Chain.broadcast`). Legacy
        pricing has one number to raise when a transaction must be replaced. Needs the
        private key."""
        if self.private_key is None:
            raise ChainError("signing a transaction here needs the account's private key (--private-key)")
        params: TxParams = {"from": self.address, "value": value}  # type: ignore[typeddict-item]
        params.update({"nonce": nonce, "gas": gas, "gasPrice": gas_price})  # type: ignore[typeddict-item]
        tx = call.build_transaction(params)
        signed = Account.sign_transaction(tx, self.private_key)
        raw = bytes(signed.raw_transaction)
        return SignedTx(raw, "0x" + keccak(raw).hex(), nonce, gas_price)

    def send(
        self,
        call: Any,
        *,
        value: int = 0,
        gas: int | None = None,
        abi: list[dict[str, Any]] | None = None,
        dry_run: bool = False,
        on_raw: Callable[[bytes], None] | None = None,
    ) -> TxReceipt:
        """Send `call` (a web3 contract function or constructor), wait, return the receipt.

        With `gas` unset the gas is estimated, which also names a revert before anything is
        signed. A fixed `gas` skips the estimate; `dry_run` then executes the call once
        (`eth_call`) first, so a revert is still named before signing, at the cost of one run
        instead of estimation's many (on the embedded chain every run of a withdrawal repeats
        a pure-Python pairing check, seconds each). Without either a failure surfaces only as
        a failed transaction (`ChainError`). `abi` names custom errors; `on_raw` sees each
        signed raw transaction before it is broadcast.
        """
        params: TxParams = {"from": self.address, "value": value}  # type: ignore[typeddict-item]
        try:
            if gas is None:
                gas = int(call.estimate_gas(params) * 12 // 10) + 10_000
            elif dry_run:
                call.call(params)
            params["gas"] = gas
            tx = call.build_transaction(params)
        except REVERT_ERRORS as exc:
            raise named_revert(exc, abi) from None
        if self.private_key is None:
            tx_hash = self.w3.eth.send_transaction(tx)
        else:
            tx["nonce"] = self.w3.eth.get_transaction_count(self.address, "pending")  # type: ignore[arg-type]
            raw = bytes(Account.sign_transaction(tx, self.private_key).raw_transaction)
            if on_raw is not None:
                on_raw(raw)
            tx_hash = self.w3.eth.send_raw_transaction(raw)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            raise ChainError(f"transaction {tx_hash.hex()} failed")
        return receipt
