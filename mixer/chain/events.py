"""A pool's two events, decoded from raw `eth_getLogs` entries by our own code.

`Deposit(bytes32 indexed commitment, uint32 leafIndex, uint256 timestamp)` and
`Withdrawal(address to, bytes32 nullifierHash, address indexed relayer, uint256 fee)` have
fixed-size fields only, so a log is its topics and 32-byte data words: decoding them here
costs a few slices per log, where web3's event machinery (ABI decoding into attribute
dicts) cost most of a large pool's sync. Every field is checked as it is decoded: a log
that does not have exactly its event's shape is a `LogShapeError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from mixer.chain.client import ChainError
from mixer.field import is_element

DEPOSIT_TOPIC: Final = "0x" + keccak(text="Deposit(bytes32,uint32,uint256)").hex()
WITHDRAWAL_TOPIC: Final = "0x" + keccak(text="Withdrawal(address,bytes32,address,uint256)").hex()
_WORD = 64  # hex digits per 32-byte word


class LogShapeError(ChainError):
    """A log that is not a well-formed Deposit or Withdrawal event of the pool."""


@dataclass(frozen=True)
class DepositEvent:
    commitment: int
    leaf_index: int
    block_number: int
    tx_hash: str
    timestamp: int


@dataclass(frozen=True)
class WithdrawalEvent:
    """A Withdrawal event: the nullifier hash it spent and whom it paid."""

    nullifier_hash: int
    to: str
    relayer: str
    fee: int
    block_number: int
    tx_hash: str


def out_of_order(event: DepositEvent, expected: int) -> str | None:
    """Why `event` cannot be the deposit of leaf `expected` (a gap or a repeat), or None."""
    if event.leaf_index == expected:
        return None
    what = "a gap in leaf indices" if event.leaf_index > expected else "a repeated leaf index"
    return (
        f"expected the deposit of leaf {expected}, got leaf {event.leaf_index} in block "
        f"{event.block_number} ({what}): the node returned inconsistent events"
    )


def double_spend(event: WithdrawalEvent) -> str:
    """What is wrong with `event` when its nullifier hash was spent before."""
    return (
        f"the Withdrawal event in block {event.block_number} spends a nullifier hash already spent "
        "(the pool refuses a double spend): the node returned inconsistent events"
    )


def _words(data: str, count: int, what: str) -> list[int]:
    body = data[2:]
    if len(body) != count * _WORD:
        raise LogShapeError(f"a {what} event carries {len(body) // 2} data bytes, not {32 * count}")
    return [int(body[i : i + _WORD], 16) for i in range(0, len(body), _WORD)]


def _address_word(word: int, what: str) -> str:
    if word >> 160:
        raise LogShapeError(f"a {what} event carries an address with high bits set")
    return to_checksum_address(word.to_bytes(20, "big"))


def decode(log: dict[str, Any]) -> DepositEvent | WithdrawalEvent:
    """The event in one raw log (hex strings, as the JSON-RPC answer has it, shape-checked
    by `mixer.chain.answers`)."""
    topics = log["topics"]
    block, tx = int(log["blockNumber"], 16), str(log["transactionHash"]).lower()
    if topics and topics[0] == DEPOSIT_TOPIC and len(topics) == 2:
        commitment = int(topics[1], 16)
        index, timestamp = _words(log["data"], 2, "Deposit")
        if not is_element(commitment):
            raise LogShapeError(f"the deposit of leaf {index} carries a commitment >= r")
        if index >> 32:
            raise LogShapeError("a deposit event carries a leaf index above 2^32")
        return DepositEvent(commitment, index, block, tx, timestamp)
    if topics and topics[0] == WITHDRAWAL_TOPIC and len(topics) == 2:
        to, nullifier_hash, fee = _words(log["data"], 3, "Withdrawal")
        if not is_element(nullifier_hash):
            raise LogShapeError("a withdrawal event carries a nullifier hash >= r")
        relayer = _address_word(int(topics[1], 16), "Withdrawal")
        return WithdrawalEvent(nullifier_hash, _address_word(to, "Withdrawal"), relayer, fee, block, tx)
    raise LogShapeError("the node returned a log that is neither a Deposit nor a Withdrawal event")
