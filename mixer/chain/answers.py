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

_MAX_DATA_CHARS: Final = 2 + 2 * 1024 * 1024  # 1 MiB of bytes: more than any contract's code


class MalformedAnswerError(ChainError):
    """A node's answer does not have the shape the JSON-RPC specification gives it."""


class Check:
    """Whether one value has a shape (`check(value)`), or every value of a list has it
    (`check.many(values)`: one pass over a column, which a 100,000-log answer needs)."""

    def __call__(self, value: object) -> bool:
        raise NotImplementedError

    def many(self, values: list[object]) -> bool:
        return all(map(self, values))


class _Is(Check):
    def __init__(self, test: Callable[[object], bool]) -> None:
        self._test = test

    def __call__(self, value: object) -> bool:
        return self._test(value)


class _Hex(Check):
    """A 0x-hex string of `min_digits` to `max_digits` digits (an even number of them when
    `whole_bytes`). A column is checked as one string in one regex run and by the set of its
    lengths; the joined string must hold exactly the commas that separate the items, or an
    item "0x1,0x2" would pass as two."""

    _ONE = re.compile(r"0x[0-9a-fA-F]*\Z")
    _ALL = re.compile(r"(?:0x[0-9a-fA-F]*,)*\Z")

    def __init__(self, min_digits: int, max_digits: int, *, whole_bytes: bool = False) -> None:
        self._min, self._max, self._even = min_digits + 2, max_digits + 2, whole_bytes

    def _length(self, n: int) -> bool:
        return self._min <= n <= self._max and not (self._even and n % 2)

    def __call__(self, value: object) -> bool:
        return isinstance(value, str) and self._length(len(value)) and self._ONE.match(value) is not None

    def many(self, values: list[object]) -> bool:
        if not values:
            return True
        try:
            joined = ",".join(values)  # type: ignore[arg-type]  # TypeError: not all strings
        except TypeError:
            return False
        if joined.count(",") != len(values) - 1:
            return False
        lengths = set(map(len, values))  # type: ignore[arg-type]
        return all(map(self._length, lengths)) and self._ALL.match(joined + ",") is not None


def _fixed(size: int) -> _Hex:
    return _Hex(2 * size, 2 * size)


quantity = _Hex(1, 64)
data = _Hex(0, _MAX_DATA_CHARS - 2, whole_bytes=True)
hash32 = _fixed(32)
address = _fixed(20)
boolean = _Is(lambda v: isinstance(v, bool))
integer = _Is(lambda v: isinstance(v, int) and not isinstance(v, bool))
string = _Is(lambda v: isinstance(v, str))
array = _Is(lambda v: isinstance(v, list))


class _Nullable(Check):
    def __init__(self, check: Check) -> None:
        self._check = check

    def __call__(self, value: object) -> bool:
        return value is None or self._check(value)

    def many(self, values: list[object]) -> bool:
        return self._check.many([v for v in values if v is not None])


class _ListOf(Check):
    def __init__(self, check: Check) -> None:
        self._check = check

    def __call__(self, value: object) -> bool:
        return isinstance(value, list) and self._check.many(value)

    def many(self, values: list[object]) -> bool:
        return all(isinstance(v, list) for v in values) and self._check.many(
            [item for v in values for item in v]  # type: ignore[attr-defined]
        )


_ABSENT = object()


class _Record(Check):
    """An object holding every `required` field and, where present, well-formed `optional` ones."""

    def __init__(self, required: Mapping[str, Check], optional: Mapping[str, Check] | None = None) -> None:
        self._required = required
        self._optional = optional or {}

    def __call__(self, value: object) -> bool:
        return self.many([value])

    def many(self, values: list[object]) -> bool:
        if not all(isinstance(v, dict) for v in values):
            return False
        records: list[dict[str, object]] = values  # type: ignore[assignment]
        for name, check in self._required.items():
            column = [r.get(name, _ABSENT) for r in records]
            if _ABSENT in column or not check.many(column):
                return False
        return all(
            check.many([r[name] for r in records if name in r]) for name, check in self._optional.items()
        )


log = _Record(
    {
        "address": address,
        "topics": _ListOf(hash32),
        "data": data,
        "blockNumber": quantity,
        "blockHash": hash32,
        "transactionHash": hash32,
        "logIndex": quantity,
    },
    {"transactionIndex": quantity, "removed": boolean},
)
block = _Record(
    {"number": quantity, "hash": hash32, "timestamp": quantity},
    {
        "parentHash": hash32,
        "gasLimit": quantity,
        "gasUsed": quantity,
        "baseFeePerGas": quantity,
        "transactions": array,
    },
)
receipt = _Record(
    {
        "transactionHash": hash32,
        "blockNumber": quantity,
        "blockHash": hash32,
        "gasUsed": quantity,
        "status": quantity,
        "logs": _ListOf(log),
    },
    {"contractAddress": _Nullable(address), "effectiveGasPrice": quantity, "from": address},
)
transaction = _Record(
    {"hash": hash32, "from": address, "nonce": quantity, "input": data, "value": quantity},
    {"to": _Nullable(address), "blockNumber": _Nullable(quantity), "gas": quantity},
)

CHECKS: Final[Mapping[str, Check]] = {
    "quantity": quantity,
    "data": data,
    "hash32": hash32,
    "address": address,
    "log": log,
    "logs": _ListOf(log),
    "block": _Nullable(block),
    "receipt": _Nullable(receipt),
    "transaction": _Nullable(transaction),
}
"""The shapes by name (for tests: a column check must judge as checking each value)."""

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
    "eth_accounts": _ListOf(address),
    "eth_sendRawTransaction": hash32,
    "eth_sendTransaction": hash32,
    "eth_getLogs": _ListOf(log),
    "eth_getBlockByNumber": _Nullable(block),
    "eth_getBlockByHash": _Nullable(block),
    "eth_getTransactionReceipt": _Nullable(receipt),
    "eth_getTransactionByHash": _Nullable(transaction),
}
"""Method -> the check its `result` must pass."""

_error = _Record(
    {
        "code": integer,
        "message": string,
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
