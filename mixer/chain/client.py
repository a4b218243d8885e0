"""Sending transactions and naming reverts, the same way on every backend."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_tester.exceptions import TransactionFailed
from eth_utils.crypto import keccak
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.types import TxParams, TxReceipt

from mixer.errors import MixerError


class ChainError(MixerError):
    """A transaction that could not be sent or did not succeed."""


class ContractReverted(ChainError):
    """A call reverted; `error` is the contract's custom error name when it has one."""

    def __init__(self, error: str, detail: str = "") -> None:
        super().__init__(f"contract reverted: {error}{(' ' + detail) if detail else ''}")
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
    """The 0x-hex revert data, from web3's exceptions or eth-tester's TransactionFailed
    (which carries it as the repr of a bytes object after "execution reverted: ")."""
    if isinstance(exc, TransactionFailed) and exc.args:
        message = exc.args[0]
        if isinstance(message, bytes):
            return "0x" + message.hex()
        prefix = "execution reverted: "
        if isinstance(message, str) and message.startswith(prefix + "b"):
            raw = ast.literal_eval(message[len(prefix) :])
            if isinstance(raw, bytes):
                return "0x" + raw.hex()
        return ""
    data = getattr(exc, "data", None)
    if isinstance(data, str):
        return data
    if isinstance(data, dict):
        inner = data.get("data")
        if isinstance(inner, str):
            return inner
    return ""


@dataclass
class Sender:
    """Who signs: an unlocked node account (dev chains) or a local private key."""

    w3: Web3
    address: str
    private_key: bytes | None = None

    def send(
        self,
        call: Any,
        *,
        value: int = 0,
        gas: int | None = None,
        abi: list[dict[str, Any]] | None = None,
        on_raw: Callable[[bytes], None] | None = None,
    ) -> TxReceipt:
        """Estimate (which surfaces the revert reason), sign if needed, send, wait.

        `call` is a web3 contract function or constructor. `abi` names custom errors.
        `on_raw` sees each signed raw transaction before it is broadcast.
        """
        params: TxParams = {"from": self.address, "value": value}  # type: ignore[typeddict-item]
        try:
            if gas is None:
                gas = int(call.estimate_gas(params) * 12 // 10) + 10_000
            params["gas"] = gas
            tx = call.build_transaction(params)
        except (ContractCustomError, ContractLogicError, TransactionFailed) as exc:
            raise self._named(exc, abi) from None
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

    @staticmethod
    def _named(exc: Exception, abi: list[dict[str, Any]] | None) -> ContractReverted:
        data = _revert_data(exc)
        name = error_selectors(abi or []).get(data[:10])
        if name is not None:
            return ContractReverted(name)
        return ContractReverted("unknown", str(exc))
