"""The 296-byte withdrawal record codec (DESIGN.md §5): exact layout, strict decoding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mixer.bn254 import P
from mixer.chain.record import (
    RECORD_SIZE,
    RecordError,
    WithdrawalRecord,
    decode_batch,
    encode_batch,
)
from mixer.field import R
from mixer.snark.proof import Proof
from mixer.snark.snarkjs import proof_from_snarkjs

field = st.integers(0, R - 1)
coord = st.integers(0, P - 1)
u32 = st.integers(0, 2**32 - 1)
proofs = st.builds(
    Proof,
    a=st.tuples(coord, coord),
    b=st.tuples(st.tuples(coord, coord), st.tuples(coord, coord)),
    c=st.tuples(coord, coord),
)
records = st.builds(WithdrawalRecord, root_index=u32, nullifier_hash=field, recipient_id=u32, proof=proofs)


def sample() -> WithdrawalRecord:
    proof = Proof(a=(1, 2), b=((3, 4), (5, 6)), c=(7, 8))
    return WithdrawalRecord(root_index=0x01020304, nullifier_hash=R - 1, recipient_id=0x0A0B0C0D, proof=proof)


def test_layout_matches_design_offsets() -> None:
    raw = sample().encode()
    assert len(raw) == RECORD_SIZE == 296
    assert raw[0:4] == bytes([1, 2, 3, 4])
    assert raw[4:36] == (R - 1).to_bytes(32, "big")
    assert raw[36:40] == bytes([0x0A, 0x0B, 0x0C, 0x0D])
    words = [int.from_bytes(raw[40 + 32 * i : 72 + 32 * i], "big") for i in range(8)]
    # A.x A.y B.x.c1 B.x.c0 B.y.c1 B.y.c0 C.x C.y: G2 imaginary part first (EIP-197)
    assert words == [1, 2, 4, 3, 6, 5, 7, 8]


@given(records)
def test_roundtrip(record: WithdrawalRecord) -> None:
    assert WithdrawalRecord.decode(record.encode()) == record


@given(st.lists(records, min_size=1, max_size=4))
def test_batch_roundtrip(batch: list[WithdrawalRecord]) -> None:
    raw = encode_batch(batch)
    assert len(raw) == RECORD_SIZE * len(batch)
    assert decode_batch(raw) == batch


@pytest.mark.parametrize("length", [0, 1, 295, 297, 592])
def test_rejects_wrong_length(length: int) -> None:
    with pytest.raises(RecordError, match="296 bytes"):
        WithdrawalRecord.decode(bytes(length))


@pytest.mark.parametrize("length", [0, 295, 297, 296 * 2 + 1])
def test_rejects_batch_of_wrong_length(length: int) -> None:
    with pytest.raises(RecordError, match="multiple of 296"):
        decode_batch(bytes(length))


def test_rejects_nullifier_hash_plus_r_alias() -> None:
    raw = bytearray(sample().encode())
    raw[4:36] = (5 + R).to_bytes(32, "big")
    with pytest.raises(RecordError, match="nullifierHash"):
        WithdrawalRecord.decode(bytes(raw))
    with pytest.raises(RecordError, match="nullifierHash"):
        WithdrawalRecord(0, R, 0, sample().proof).encode()


@pytest.mark.parametrize("word", range(8))
def test_rejects_noncanonical_proof_coordinate(word: int) -> None:
    raw = bytearray(sample().encode())
    raw[40 + 32 * word : 72 + 32 * word] = P.to_bytes(32, "big")
    with pytest.raises(RecordError, match="< q"):
        WithdrawalRecord.decode(bytes(raw))


@pytest.mark.parametrize("field_name", ["root_index", "recipient_id"])
def test_rejects_uint32_overflow(field_name: str) -> None:
    values = {"root_index": 0, "recipient_id": 0, field_name: 2**32}
    with pytest.raises(RecordError, match="uint32"):
        WithdrawalRecord(nullifier_hash=1, proof=sample().proof, **values).encode()


def test_empty_batch_is_rejected() -> None:
    with pytest.raises(RecordError, match="at least one"):
        encode_batch([])


def test_snarkjs_proof_shape() -> None:
    snark = {
        "pi_a": ["1", "2", "1"],
        "pi_b": [["3", "4"], ["5", "6"], ["1", "0"]],
        "pi_c": ["7", "8", "1"],
        "protocol": "groth16",
    }
    assert proof_from_snarkjs(snark) == sample().proof
