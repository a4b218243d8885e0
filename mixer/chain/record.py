"""The 296-byte withdrawal record (DESIGN.md §5), encoded and decoded strictly.

| offset | size | field |
|---|---|---|
| 0 | 4 | rootIndex, uint32 big-endian |
| 4 | 32 | nullifierHash, big-endian, < r |
| 36 | 4 | recipientId, uint32 big-endian: a directory id, or NEW_RECIPIENT | i |
| 40 | 256 | proof A.x A.y B.x.c1 B.x.c0 B.y.c1 B.y.c0 C.x C.y (EIP-197 order), each < q |

A recipientId with the top bit set (`new_recipient_id(i)`) names `newRecipients[i]` of the
withdrawal transaction instead of a directory entry: unlike a guessed directory id it cannot
be shifted by someone registering addresses before the withdrawal is mined.

Decoding rejects anything the pool contract would reject for its shape, so a malformed
record is caught before it costs gas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mixer.bn254 import P
from mixer.errors import MixerError
from mixer.field import R
from mixer.snark import Proof

RECORD_SIZE = 296
PROOF_SIZE = 256
UINT32_MAX = 2**32 - 1
# recipientId bit meaning "index into this transaction's newRecipients" (Pool.sol NEW_RECIPIENT)
NEW_RECIPIENT = 2**31
_NONCANONICAL = "proof coordinate is not a canonical base-field element (must be < q)"
"""Proof coordinates live in the BN254 base field F_q (`mixer.bn254.P`), not in F_r."""


class RecordError(MixerError, ValueError):
    """A withdrawal record that does not follow the 296-byte layout."""


def _proof_words(proof: Proof) -> tuple[int, ...]:
    """The eight words in EIP-197 calldata order (imaginary part first for G2); RecordError
    if a point is infinity, which the layout cannot hold."""
    if proof.a is None or proof.b is None or proof.c is None:
        raise RecordError("a proof point is at infinity: a record cannot hold it")
    (bx0, bx1), (by0, by1) = proof.b
    return (proof.a[0], proof.a[1], bx1, bx0, by1, by0, proof.c[0], proof.c[1])


def proof_to_bytes(proof: Proof) -> bytes:
    """The record's 256 proof bytes; RecordError unless every coordinate is below q."""
    words = _proof_words(proof)
    if not all(0 <= w < P for w in words):
        raise RecordError(_NONCANONICAL)
    return b"".join(w.to_bytes(32, "big") for w in words)


def proof_from_bytes(data: bytes) -> Proof:
    """The proof in 256 record bytes; RecordError for another length or a coordinate >= q
    (whether the points are on their curves is the verifier's to decide)."""
    if len(data) != PROOF_SIZE:
        raise RecordError(f"proof must be {PROOF_SIZE} bytes, got {len(data)}")
    w = [int.from_bytes(data[i : i + 32], "big") for i in range(0, PROOF_SIZE, 32)]
    if not all(x < P for x in w):
        raise RecordError(_NONCANONICAL)
    return Proof(a=(w[0], w[1]), b=((w[3], w[2]), (w[5], w[4])), c=(w[6], w[7]))


def new_recipient_id(index: int) -> int:
    """The recipientId of `newRecipients[index]` in the same withdrawal transaction."""
    if not 0 <= index < NEW_RECIPIENT:
        raise RecordError("a newRecipients index must be below 2^31")
    return NEW_RECIPIENT | index


@dataclass(frozen=True)
class WithdrawalRecord:
    """One withdrawal: which root, which nullifier, who is paid (by directory id), the proof."""

    root_index: int
    nullifier_hash: int
    recipient_id: int
    proof: Proof

    def encode(self) -> bytes:
        if not 0 <= self.root_index <= UINT32_MAX:
            raise RecordError("rootIndex must fit in uint32")
        if not 0 <= self.recipient_id <= UINT32_MAX:
            raise RecordError("recipientId must fit in uint32")
        if not 0 <= self.nullifier_hash < R:
            raise RecordError("nullifierHash must be a canonical field element (< r)")
        out = (
            self.root_index.to_bytes(4, "big")
            + self.nullifier_hash.to_bytes(32, "big")
            + self.recipient_id.to_bytes(4, "big")
            + proof_to_bytes(self.proof)
        )
        assert len(out) == RECORD_SIZE
        return out

    @classmethod
    def decode(cls, data: bytes) -> WithdrawalRecord:
        if len(data) != RECORD_SIZE:
            raise RecordError(f"a withdrawal record is {RECORD_SIZE} bytes, got {len(data)}")
        nullifier_hash = int.from_bytes(data[4:36], "big")
        if nullifier_hash >= R:
            raise RecordError("nullifierHash must be a canonical field element (< r)")
        return cls(
            root_index=int.from_bytes(data[0:4], "big"),
            nullifier_hash=nullifier_hash,
            recipient_id=int.from_bytes(data[36:40], "big"),
            proof=proof_from_bytes(data[40:]),
        )


def encode_batch(records: Sequence[WithdrawalRecord]) -> bytes:
    """Concatenate records for one transaction (a relayer's batch); at least one."""
    if not records:
        raise RecordError("a withdrawal batch needs at least one record")
    return b"".join(r.encode() for r in records)


def decode_batch(data: bytes) -> list[WithdrawalRecord]:
    if not data or len(data) % RECORD_SIZE:
        raise RecordError(f"batch length {len(data)} is not a positive multiple of {RECORD_SIZE}")
    return [WithdrawalRecord.decode(data[i : i + RECORD_SIZE]) for i in range(0, len(data), RECORD_SIZE)]
