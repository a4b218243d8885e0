"""What a posted withdrawal must pass before the relayer spends any gas on it.

`parse` reads the request body (400: malformed JSON or record); `check_terms` compares it
with this relayer's terms for the pool (422: fee, refund); `check_root` and
`check_proof` use what the caller read from the chain: the root in the record's ring slot,
the nullifier's spent flag (422), and the proof verified by our own Groth16 verifier
(`mixer.snark.verify`) under the pool's verifying key for the values it must be bound to:
the recipient, THIS relayer's address, the fee and the refund (extDataHash). No I/O here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from eth_utils.address import is_address, to_checksum_address

from mixer import jsonsafe
from mixer.chain.record import RECORD_SIZE, RecordError, WithdrawalRecord
from mixer.errors import MixerError
from mixer.extdata import ExtData, base_units
from mixer.field import R
from mixer.merkle import ROOT_HISTORY_SIZE
from mixer.snark import VerifyingKey, groth16

MAX_BODY: Final = 64 * 1024
"""Bytes of a request body at most (DESIGN.md §10); more is refused with 413."""
FIELDS: Final = ("pool", "record", "recipient", "fee", "refund")
_HEX_RECORD: Final = re.compile(r"0x[0-9a-fA-F]*")


class Refused(MixerError):
    """A posted withdrawal refused before any gas is spent: an HTTP status and one sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Posted:
    """A `POST /v1/withdrawals` body, well-formed."""

    pool: str
    record: WithdrawalRecord
    raw: bytes
    recipient: str
    fee: int
    refund: int

    @property
    def id(self) -> str:
        """The job id: the nullifierHash as 0x and 64 hex digits."""
        return "0x" + self.record.nullifier_hash.to_bytes(32, "big").hex()


@dataclass(frozen=True)
class Terms:
    """This relayer's terms for one pool."""

    relayer: str
    fee: int
    """The least fee, in the pool's smallest unit."""
    max_refund: int
    denomination: int
    token_pool: bool
    vk: VerifyingKey


def _amount(data: dict[str, Any], key: str) -> int:
    value = base_units(data[key])
    if value is not None:
        return value
    raise Refused(400, f"{key} must be a decimal string of base units (wei), below 2^256")


def _address(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not is_address(value):
        raise Refused(400, f"{key} is not a 0x-hex Ethereum address")
    return str(to_checksum_address(value))


def parse(body: bytes) -> Posted:
    """The posted withdrawal in `body`; Refused 400 for malformed JSON, a missing or mistyped
    field or a record that is not 296 bytes of our layout, 422 for a nullifierHash >= r
    (`nullifierHash + r` would spend the same note under a second storage key), 413 for a
    body over `MAX_BODY`."""
    if len(body) > MAX_BODY:
        raise Refused(413, f"the request body is over {MAX_BODY // 1024} KiB")
    try:
        data = jsonsafe.loads(body, what="the request body", max_bytes=MAX_BODY)
    except jsonsafe.UntrustedJSONError:
        raise Refused(400, "the request body is not JSON") from None
    if not isinstance(data, dict):
        raise Refused(400, "the request body must be a JSON object")
    missing = [k for k in FIELDS if k not in data]
    if missing:
        raise Refused(400, f"the request lacks {', '.join(missing)}")
    text = data["record"]
    if not isinstance(text, str) or not _HEX_RECORD.fullmatch(text) or len(text) % 2:
        raise Refused(400, "record must be 0x-hex bytes")
    raw = bytes.fromhex(text[2:])
    if len(raw) != RECORD_SIZE:
        raise Refused(400, f"a withdrawal record is {RECORD_SIZE} bytes, got {len(raw)}")
    if int.from_bytes(raw[4:36], "big") >= R:
        raise Refused(422, "the record's nullifierHash is not a field element (it must be below r)")
    try:
        record = WithdrawalRecord.decode(raw)
    except RecordError as exc:
        raise Refused(400, f"malformed record: {exc}") from None
    return Posted(
        pool=_address(data, "pool"),
        record=record,
        raw=raw,
        recipient=_address(data, "recipient"),
        fee=_amount(data, "fee"),
        refund=_amount(data, "refund"),
    )


def check_terms(posted: Posted, terms: Terms) -> None:
    """Refused 422 unless the fee and refund are ones this relayer takes for the pool."""
    if posted.fee < terms.fee:
        raise Refused(422, f"the fee {posted.fee} is below this relayer's fee {terms.fee} for this pool")
    if posted.fee > terms.denomination:
        raise Refused(422, f"the fee {posted.fee} is more than the pool's denomination {terms.denomination}")
    if posted.refund and not terms.token_pool:
        raise Refused(422, "an ETH pool takes no refund (the contract refuses it)")
    if posted.refund > terms.max_refund:
        raise Refused(
            422, f"the refund {posted.refund} wei is above this relayer's maximum {terms.max_refund} wei"
        )
    if posted.record.root_index >= ROOT_HISTORY_SIZE:
        raise Refused(
            422, f"root index {posted.record.root_index} is outside the ring of {ROOT_HISTORY_SIZE} roots"
        )


def check_root(posted: Posted, root: int, spent: bool) -> None:
    """Refused 422 for an empty ring slot or a spent nullifier (`root`, `spent` as read from
    the pool just now)."""
    if spent:
        raise Refused(422, "this note was already withdrawn (its nullifier is spent)")
    if root == 0:
        raise Refused(422, f"root index {posted.record.root_index} names an empty slot of the root ring")


def public_inputs(posted: Posted, root: int, relayer: str) -> list[int]:
    ext = ExtData(posted.recipient, relayer, posted.fee, posted.refund)
    return [root, posted.record.nullifier_hash, ext.hash()]


def check_proof(posted: Posted, root: int, terms: Terms) -> None:
    """Refused 422 unless the proof verifies, under the pool's key, for the root in its ring
    slot, its nullifier, and (recipient, this relayer, fee, refund)."""
    if not groth16.verify(terms.vk, public_inputs(posted, root, terms.relayer), posted.record.proof):
        raise Refused(
            422,
            f"the proof does not verify for root index {posted.record.root_index}, this recipient, "
            f"relayer {terms.relayer}, this fee and refund (a stale root, a proof bound to other "
            "values, or a tampered proof)",
        )
