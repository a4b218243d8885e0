"""The shape of a JSON-RPC node's answers, checked before web3 formats them.

A node is outside our trust: a hostile or broken one can answer `eth_chainId` with null, a
5000-digit number or a nested list. web3's formatters then fail with a TypeError or a
ValueError from deep inside, which looks like a bug in this program. Every answer to a
method this program uses is checked here against the Ethereum JSON-RPC specification's
types (quantities, fixed-size hashes and addresses, byte strings, and the fields of logs,
blocks and receipts that the wallet reads), and a mismatch is one `MalformedAnswerError`
sentence naming the method. Methods not listed pass through unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from mixer.chain.client import ChainError

_QUANTITY = re.compile(r"0x[0-9a-fA-F]{1,64}\Z")
_DATA = re.compile(r"0x(?:[0-9a-fA-F]{2})*\Z")
_MAX_DATA_CHARS: Final = 2 + 2 * 1024 * 1024  # 1 MiB of bytes: more than any contract's code


class MalformedAnswerError(ChainError):
    """A node's answer does not have the shape the JSON-RPC specification gives it."""


Check = Callable[[object], bool]


def quantity(value: object) -> bool:
    return isinstance(value, str) and _QUANTITY.match(value) is not None


def data(value: object) -> bool:
    return isinstance(value, str) and len(value) <= _MAX_DATA_CHARS and _DATA.match(value) is not None


def _fixed(size: int) -> Check:
    return lambda value: data(value) and len(str(value)) == 2 + 2 * size


hash32 = _fixed(32)
address = _fixed(20)


def _nullable(check: Check) -> Check:
    return lambda value: value is None or check(value)


def _list_of(check: Check) -> Check:
    return lambda value: isinstance(value, list) and all(check(v) for v in value)


def _record(required: Mapping[str, Check], optional: Mapping[str, Check] | None = None) -> Check:
    """An object holding every `required` field and, where present, well-formed `optional` ones."""

    def check(value: object) -> bool:
        if not isinstance(value, dict):
            return False
        if any(k not in value or not ok(value[k]) for k, ok in required.items()):
            return False
        return all(ok(value[k]) for k, ok in (optional or {}).items() if k in value)

    return check


log = _record(
    {
        "address": address,
        "topics": _list_of(hash32),
        "data": data,
        "blockNumber": quantity,
        "blockHash": hash32,
        "transactionHash": hash32,
        "logIndex": quantity,
    },
    {"transactionIndex": quantity, "removed": lambda v: isinstance(v, bool)},
)
block = _record(
    {"number": quantity, "hash": hash32, "timestamp": quantity},
    {
        "parentHash": hash32,
        "gasLimit": quantity,
        "gasUsed": quantity,
        "baseFeePerGas": quantity,
        "transactions": lambda v: isinstance(v, list),
    },
)
receipt = _record(
    {
        "transactionHash": hash32,
        "blockNumber": quantity,
        "blockHash": hash32,
        "gasUsed": quantity,
        "status": quantity,
        "logs": _list_of(log),
    },
    {"contractAddress": _nullable(address), "effectiveGasPrice": quantity, "from": address},
)
transaction = _record(
    {"hash": hash32, "from": address, "nonce": quantity, "input": data, "value": quantity},
    {"to": _nullable(address), "blockNumber": _nullable(quantity), "gas": quantity},
)

RESULTS: Final[Mapping[str, Check]] = {
    **dict.fromkeys(
        (
            "eth_chainId",
            "eth_blockNumber",
            "eth_gasPrice",
            "eth_maxPriorityFeePerGas",
            "eth_getBalance",
            "eth_getTransactionCount",
            "eth_estimateGas",
        ),
        quantity,
    ),
    "eth_call": data,
    "eth_getCode": data,
    "eth_getStorageAt": hash32,
    "eth_accounts": _list_of(address),
    "eth_sendRawTransaction": hash32,
    "eth_sendTransaction": hash32,
    "eth_getLogs": _list_of(log),
    "eth_getBlockByNumber": _nullable(block),
    "eth_getBlockByHash": _nullable(block),
    "eth_getTransactionReceipt": _nullable(receipt),
    "eth_getTransactionByHash": _nullable(transaction),
}
"""Method -> the check its `result` must pass."""

_error = _record(
    {
        "code": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "message": lambda v: isinstance(v, str),
    }
)


def check_answer(method: str, response: Any) -> None:
    """MalformedAnswerError unless `response` is a JSON-RPC response whose result (or
    error object) has the shape `method` gives it."""
    if not isinstance(response, dict) or ("result" in response) == ("error" in response):
        raise MalformedAnswerError(f"the node's answer to {method} is not a JSON-RPC response")
    if "error" in response:
        if not _error(response["error"]):
            raise MalformedAnswerError(f"the node's error answer to {method} is malformed")
        return
    check = RESULTS.get(method)
    if check is not None and not check(response["result"]):
        raise MalformedAnswerError(f"the node's answer to {method} is malformed (not what JSON-RPC allows)")
