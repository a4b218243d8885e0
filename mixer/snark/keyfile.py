"""The project's versioned proving-key file.

Layout (all integers big-endian):
  magic b"MIXERPK\\0" | version u32 | header length u32 | header (JSON, utf-8)
  | alpha1 beta1 delta1 (G1) | beta2 gamma2 delta2 (G2) | IC (n_public + 1 G1)
  | A coefficients, B coefficients (row u32, wire u32, value 32 bytes each)
  | A points, B1 points (n_vars G1) | B2 points (n_vars G2)
  | C points (n_vars - n_public - 1 G1) | H points (domain_size G1) | SHA-256 of all the above
G1 = x | y (32 bytes each); G2 = x.c0 | x.c1 | y.c0 | y.c1; infinity = all zero bytes.
"""

from __future__ import annotations

import hashlib
import json
import struct
from typing import Any, Final

from mixer import jsonsafe
from mixer.snark.errors import SnarkFormatError
from mixer.snark.keys import ProvingKey, VerifyingKey, check_coefficients, validate_key_points
from mixer.snark.points import WordReader, g1_bytes, g2_bytes, header_size
from mixer.snark.qap import QAP, Coefficient, Matrix

MAGIC: Final = b"MIXERPK\x00"
VERSION: Final = 1
_DIGEST_SIZE = 32


def _coefficient_bytes(c: Coefficient) -> bytes:
    return struct.pack(">II", c[0], c[1]) + c[2].to_bytes(32, "big")


def encode(pk: ProvingKey) -> bytes:
    """The key file's bytes (layout in the module docstring)."""
    q = pk.qap
    header = json.dumps(
        {
            "circuit_digest": pk.circuit_digest,
            "n_vars": q.n_vars,
            "n_public": q.n_public,
            "domain_size": q.domain_size,
            "n_a": len(q.a),
            "n_b": len(q.b),
        },
        sort_keys=True,
    ).encode()
    parts = [MAGIC, struct.pack(">II", VERSION, len(header)), header]
    parts += [
        g1_bytes((pk.vk.alpha1, pk.beta1, pk.delta1)),
        g2_bytes((pk.vk.beta2, pk.vk.gamma2, pk.vk.delta2)),
    ]
    parts.append(g1_bytes(pk.vk.ic))
    parts += [_coefficient_bytes(c) for c in (*q.a, *q.b)]
    parts += [g1_bytes((*pk.a_points, *pk.b1_points)), g2_bytes(pk.b2_points)]
    parts.append(g1_bytes((*pk.c_points, *pk.h_points)))
    body = b"".join(parts)
    return body + hashlib.sha256(body).digest()


def _matrix(reader: WordReader, n: int) -> Matrix:
    chunk = reader.take(40 * n)
    out: list[Coefficient] = []
    for i in range(0, 40 * n, 40):
        row, wire = struct.unpack_from(">II", chunk, i)
        out.append((row, wire, int.from_bytes(chunk[i + 8 : i + 40], "big")))
    return Matrix.of(out)


def _header_int(header: dict[str, Any], name: str) -> int:
    return header_size(header, name, lambda message: SnarkFormatError(f"key file {message}"))


def _open(data: bytes, *, checksum: bool) -> tuple[WordReader, dict[str, Any]]:
    """A reader past the header of our key file, and the header; SnarkFormatError if the
    file is not one, is of another version or (`checksum`) fails its checksum."""
    if len(data) < len(MAGIC) + 8 + _DIGEST_SIZE or not data.startswith(MAGIC):
        raise SnarkFormatError("not a mixer proving key file")
    version, header_len = struct.unpack_from(">II", data, len(MAGIC))
    if version != VERSION:
        raise SnarkFormatError(f"unsupported key file version {version} (this build reads {VERSION})")
    if checksum and hashlib.sha256(memoryview(data)[:-_DIGEST_SIZE]).digest() != data[-_DIGEST_SIZE:]:
        raise SnarkFormatError("key file is corrupt (checksum mismatch)")
    reader = WordReader(memoryview(data)[:-_DIGEST_SIZE], SnarkFormatError, "key file")
    reader.take(len(MAGIC) + 8)
    try:
        header = jsonsafe.loads(bytes(reader.take(header_len)), what="key file header")
    except jsonsafe.UntrustedJSONError:
        raise SnarkFormatError("key file header is not JSON") from None
    if not isinstance(header, dict):
        raise SnarkFormatError("key file header is not a JSON object")
    return reader, header


def decode_vk(data: bytes) -> VerifyingKey:
    """Only the verifying key in our key file, NOT validated (the caller calls `validate`)
    and without the checksum over the whole file: a few milliseconds."""
    reader, header = _open(data, checksum=False)
    alpha1, _, _ = reader.g1s(3)
    beta2, gamma2, delta2 = reader.g2s(3)
    return VerifyingKey(alpha1, beta2, gamma2, delta2, reader.g1s(_header_int(header, "n_public") + 1))


def decode(data: bytes) -> ProvingKey:
    """Parse our key file; SnarkFormatError if it is corrupt, truncated or of another version."""
    reader, header = _open(data, checksum=True)
    digest_field = header.get("circuit_digest")
    if digest_field is not None and not isinstance(digest_field, str):
        raise SnarkFormatError("key file circuit digest is invalid")
    n_vars, n_public = _header_int(header, "n_vars"), _header_int(header, "n_public")
    domain = _header_int(header, "domain_size")
    if not n_public < n_vars:
        raise SnarkFormatError("key file has more public inputs than wires")
    alpha1, beta1, delta1 = reader.g1s(3)
    beta2, gamma2, delta2 = reader.g2s(3)
    ic = reader.g1s(n_public + 1)
    a = _matrix(reader, _header_int(header, "n_a"))
    b = _matrix(reader, _header_int(header, "n_b"))
    qap = QAP(domain, n_vars, n_public, a, b)
    check_coefficients(qap)
    pk = ProvingKey(
        vk=VerifyingKey(alpha1, beta2, gamma2, delta2, ic),
        circuit_digest=digest_field,
        qap=qap,
        beta1=beta1,
        delta1=delta1,
        a_points=reader.g1s(n_vars),
        b1_points=reader.g1s(n_vars),
        b2_points=reader.g2s(n_vars),
        c_points=reader.g1s(n_vars - n_public - 1),
        h_points=reader.g1s(domain),
    )
    reader.end()
    validate_key_points(pk)
    return pk
