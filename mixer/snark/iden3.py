"""iden3 binary files: write `.r1cs` and `.wtns`, read and write snarkjs's Groth16 `.zkey`.

All three share iden3's container: magic (4 bytes) | version u32 | section count u32, then
sections of (type u32 | size u64 | bytes), little-endian throughout. Field elements are
32-byte little-endian. In a `.zkey`, curve coordinates are in Montgomery form (x * 2^256
mod p) and A/B coefficients are stored times 2^512 mod r, because snarkjs's wasm prover
multiplies them in Montgomery form against a plain witness.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Final

from mixer.bn254 import G1, G2, P
from mixer.field import R
from mixer.snark.errors import SnarkFormatError
from mixer.snark.keys import ProvingKey, VerifyingKey, check_coefficients, validate_key_points
from mixer.snark.qap import QAP, Coefficient, Matrix
from mixer.snark.r1cs import R1CS

R1CS_MAGIC: Final = b"r1cs"
WTNS_MAGIC: Final = b"wtns"
ZKEY_MAGIC: Final = b"zkey"
_N8: Final = 32
_MONT_P: Final = (1 << 256) % P
_MONT_INV_P: Final = pow(1 << 256, -1, P)
_MONT2_R: Final = (1 << 512) % R
_MONT2_INV_R: Final = pow(1 << 512, -1, R)


def _container(magic: bytes, version: int, sections: Sequence[tuple[int, bytes]]) -> bytes:
    parts = [magic, struct.pack("<II", version, len(sections))]
    for kind, data in sections:
        parts += [struct.pack("<IQ", kind, len(data)), data]
    return b"".join(parts)


def _fr(x: int) -> bytes:
    return x.to_bytes(_N8, "little")


def write_r1cs(r1cs: R1CS) -> bytes:
    """The iden3 `.r1cs` (version 1): header, constraints, wire-to-label map (identity)."""
    header = (
        struct.pack("<I", _N8)
        + _fr(R)
        + struct.pack(
            "<IIIIQI", r1cs.n_wires, 0, r1cs.n_public, r1cs.n_private_inputs, r1cs.n_wires, r1cs.n_constraints
        )
    )
    body = []
    for constraint in r1cs.constraints:
        for terms in constraint:
            body.append(struct.pack("<I", len(terms)))
            body += [struct.pack("<I", wire) + _fr(terms[wire]) for wire in sorted(terms)]
    labels = struct.pack(f"<{r1cs.n_wires}Q", *range(r1cs.n_wires))
    return _container(R1CS_MAGIC, 1, [(1, header), (2, b"".join(body)), (3, labels)])


def write_wtns(witness: Sequence[int]) -> bytes:
    """The iden3 `.wtns` (version 2): every wire value, in R1CS wire order."""
    if any(not 0 <= w < R for w in witness):
        raise ValueError("witness values must be canonical field elements")
    header = struct.pack("<I", _N8) + _fr(R) + struct.pack("<I", len(witness))
    return _container(WTNS_MAGIC, 2, [(1, header), (2, b"".join(_fr(w) for w in witness))])


def _sections(data: bytes, magic: bytes) -> dict[int, memoryview]:
    view = memoryview(data)
    if len(data) < 12 or data[:4] != magic:
        raise SnarkFormatError(f"not a {magic.decode()} file")
    _, count = struct.unpack_from("<II", data, 4)
    pos, out = 12, {}
    for _ in range(count):
        if pos + 12 > len(data):
            raise SnarkFormatError(f"{magic.decode()} file is truncated")
        kind, size = struct.unpack_from("<IQ", data, pos)
        pos += 12
        if pos + size > len(data):
            raise SnarkFormatError(f"{magic.decode()} file is truncated")
        if kind in out:
            raise SnarkFormatError(f"{magic.decode()} file repeats section {kind}")
        out[kind] = view[pos : pos + size]
        pos += size
    return out


def _le_words(chunk: memoryview) -> list[int]:
    return [int.from_bytes(chunk[i : i + _N8], "little") for i in range(0, len(chunk), _N8)]


def _mont_coordinates(chunk: memoryview, what: str) -> list[int]:
    words = _le_words(chunk)
    if any(w >= P for w in words):
        raise SnarkFormatError(f"zkey {what} has a coordinate >= p")
    return [w * _MONT_INV_P % P for w in words]


def _zkey_g1s(chunk: memoryview, n: int, what: str) -> tuple[G1, ...]:
    if len(chunk) != 64 * n:
        raise SnarkFormatError(f"zkey section {what} has the wrong size")
    c = _mont_coordinates(chunk, what)
    return tuple(None if c[i] == c[i + 1] == 0 else (c[i], c[i + 1]) for i in range(0, 2 * n, 2))


def _zkey_g2s(chunk: memoryview, n: int, what: str) -> tuple[G2, ...]:
    if len(chunk) != 128 * n:
        raise SnarkFormatError(f"zkey section {what} has the wrong size")
    c = _mont_coordinates(chunk, what)
    return tuple(
        None if not any(c[i : i + 4]) else ((c[i], c[i + 1]), (c[i + 2], c[i + 3]))
        for i in range(0, 4 * n, 4)
    )


def _zkey_coefficients(chunk: memoryview) -> tuple[list[Coefficient], list[Coefficient]]:
    if len(chunk) < 4:
        raise SnarkFormatError("zkey coefficient section is truncated")
    (count,) = struct.unpack_from("<I", chunk, 0)
    size = 12 + _N8
    if len(chunk) != 4 + count * size:
        raise SnarkFormatError("zkey coefficient section has the wrong size")
    matrices: tuple[list[Coefficient], list[Coefficient]] = ([], [])
    for pos in range(4, len(chunk), size):
        matrix, row, wire = struct.unpack_from("<III", chunk, pos)
        if matrix > 1:
            raise SnarkFormatError("zkey coefficient names a matrix other than A or B")
        value = int.from_bytes(chunk[pos + 12 : pos + size], "little")
        matrices[matrix].append((row, wire, value * _MONT2_INV_R % R))
    return matrices


def _zkey_header(sections: dict[int, memoryview]) -> tuple[int, int, int, tuple[G1, G1, G2, G2, G1, G2]]:
    """n_vars, n_public, domain size and alpha1, beta1, beta2, gamma2, delta1, delta2."""
    missing = [k for k in range(1, 10) if k not in sections]
    if missing:
        raise SnarkFormatError(f"zkey lacks section(s) {missing}")
    if len(sections[1]) != 4 or struct.unpack_from("<I", sections[1])[0] != 1:
        raise SnarkFormatError("zkey is not a Groth16 key")
    h = sections[2]
    fixed = 4 + _N8 + 4 + _N8 + 12
    if len(h) != fixed + 3 * 64 + 3 * 128:
        raise SnarkFormatError("zkey header has the wrong size")
    n8q, q = struct.unpack_from("<I", h, 0)[0], int.from_bytes(h[4:36], "little")
    n8r, r = struct.unpack_from("<I", h, 36)[0], int.from_bytes(h[40:72], "little")
    if (n8q, q, n8r, r) != (_N8, P, _N8, R):
        raise SnarkFormatError("zkey is not for the bn128 curve")
    n_vars, n_public, domain = struct.unpack_from("<III", h, 72)
    if not n_public < n_vars:
        raise SnarkFormatError("zkey has more public inputs than wires")
    p = fixed
    alpha1, beta1 = _zkey_g1s(h[p : p + 128], 2, "header")
    beta2, gamma2 = _zkey_g2s(h[p + 128 : p + 384], 2, "header")
    (delta1,) = _zkey_g1s(h[p + 384 : p + 448], 1, "header")
    (delta2,) = _zkey_g2s(h[p + 448 : p + 576], 1, "header")
    return n_vars, n_public, domain, (alpha1, beta1, beta2, gamma2, delta1, delta2)


def read_zkey_vk(data: bytes) -> VerifyingKey:
    """Only the verifying key of a snarkjs Groth16 `.zkey` (header and IC sections), NOT
    validated: the caller calls `validate`."""
    sections = _sections(data, ZKEY_MAGIC)
    _, n_public, _, (alpha1, _, beta2, gamma2, _, delta2) = _zkey_header(sections)
    return VerifyingKey(alpha1, beta2, gamma2, delta2, _zkey_g1s(sections[3], n_public + 1, "IC"))


def read_zkey(data: bytes) -> ProvingKey:
    """A ProvingKey from a snarkjs Groth16 `.zkey` (any phase-2 contribution count)."""
    sections = _sections(data, ZKEY_MAGIC)
    n_vars, n_public, domain, (alpha1, beta1, beta2, gamma2, delta1, delta2) = _zkey_header(sections)
    a, b = _zkey_coefficients(sections[4])
    qap = QAP(domain, n_vars, n_public, Matrix.of(a), Matrix.of(b))
    check_coefficients(qap)
    pk = ProvingKey(
        vk=VerifyingKey(alpha1, beta2, gamma2, delta2, _zkey_g1s(sections[3], n_public + 1, "IC")),
        circuit_digest=None,
        qap=qap,
        beta1=beta1,
        delta1=delta1,
        a_points=_zkey_g1s(sections[5], n_vars, "A"),
        b1_points=_zkey_g1s(sections[6], n_vars, "B1"),
        b2_points=_zkey_g2s(sections[7], n_vars, "B2"),
        c_points=_zkey_g1s(sections[8], n_vars - n_public - 1, "C"),
        h_points=_zkey_g1s(sections[9], domain, "H"),
    )
    validate_key_points(pk)
    return pk


def _mont_g1s(points: Sequence[G1]) -> bytes:
    out = bytearray()
    for p in points:
        for c in (0, 0) if p is None else p:
            out += (c * _MONT_P % P).to_bytes(_N8, "little")
    return bytes(out)


def _mont_g2s(points: Sequence[G2]) -> bytes:
    out = bytearray()
    for p in points:
        for c in (0, 0, 0, 0) if p is None else (*p[0], *p[1]):
            out += (c * _MONT_P % P).to_bytes(_N8, "little")
    return bytes(out)


def write_zkey(pk: ProvingKey) -> bytes:
    """`pk` as a snarkjs Groth16 `.zkey` (`snarkjs groth16 prove` and `zkey contribute` read it).

    The contributions section records no contributions and an all-zero circuit hash: the
    key did not come from a powers-of-tau ceremony, so `snarkjs zkey verify` cannot pass,
    and further phase-2 contributions cannot make a development key safe (its tau is known).
    """
    q = pk.qap
    vk = pk.vk
    header = (
        struct.pack("<I", _N8)
        + _fr(P)
        + struct.pack("<I", _N8)
        + _fr(R)
        + struct.pack("<III", q.n_vars, q.n_public, q.domain_size)
        + _mont_g1s([vk.alpha1, pk.beta1])
        + _mont_g2s([vk.beta2, vk.gamma2])
        + _mont_g1s([pk.delta1])
        + _mont_g2s([vk.delta2])
    )
    coefficients = [struct.pack("<I", len(q.a) + len(q.b))]
    for matrix, entries in enumerate((q.a, q.b)):
        coefficients += [
            struct.pack("<III", matrix, row, wire) + _fr(value * _MONT2_R % R) for row, wire, value in entries
        ]
    sections = [
        (1, struct.pack("<I", 1)),
        (2, header),
        (3, _mont_g1s(vk.ic)),
        (4, b"".join(coefficients)),
        (5, _mont_g1s(pk.a_points)),
        (6, _mont_g1s(pk.b1_points)),
        (7, _mont_g2s(pk.b2_points)),
        (8, _mont_g1s(pk.c_points)),
        (9, _mont_g1s(pk.h_points)),
        (10, bytes(64) + struct.pack("<I", 0)),
    ]
    return _container(ZKEY_MAGIC, 1, sections)
