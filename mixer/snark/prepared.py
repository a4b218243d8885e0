"""The prover cache's entries as bytes: a compiled circuit, and a proving key already checked.

Both skip work a process would otherwise repeat (`mixer.snark.cache` keeps them on disk):
an R1CS entry replaces compiling the circuit; a key entry replaces parsing the key file and
checking every point on its curve, the verifying key's subgroups and the key against the
circuit. A key entry is therefore trusted as written: its points are not checked again.
What keeps that safe is the container (a SHA-256 over everything, so a truncated or
altered file is refused) and the binding in its header (the key file's SHA-256, the
circuit and the digests of the code that wrote it: an entry for another key, circuit or
version of the code is stale). Whoever can write the cache folder can still write a
well-formed entry with other points; the prover's self-check against the verifying key
read from the key file itself (`cache.LoadedKey.vk`) turns that into an error.

Layout (integers big-endian unless said otherwise):
  magic b"MIXERCE\\0" | format u32 | header length u32 | header (JSON: kind, binding, sizes)
  | body | SHA-256 of all the above
Both bodies store their field coefficients once each (a depth-20 circuit has ~190k terms
but ~630 distinct coefficients): a table of 32-byte values, then u32 arrays (little-endian)
of indices into it, which decode at C speed.
  key body:  alpha1 beta1 delta1 (G1) | beta2 gamma2 delta2 (G2) | IC (n_public + 1 G1)
             | values | A rows, wires, value indices | B rows, wires, value indices
             | A, B1 (n_vars G1) | B2 (n_vars G2) | C (n_vars - n_public - 1 G1) | H (domain G1)
  r1cs body: values | term counts (3 per constraint: A, B, C) | wires | value indices
G1 = x | y (32 bytes each); G2 = x.c0 | x.c1 | y.c0 | y.c1; infinity = all zero bytes.
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from mixer import jsonsafe
from mixer.snark.errors import SnarkFormatError
from mixer.snark.keys import ProvingKey, VerifyingKey
from mixer.snark.points import WordReader, g1_bytes, g2_bytes, header_size
from mixer.snark.qap import QAP, Matrix
from mixer.snark.r1cs import R1CS, Constraint, known_digest

MAGIC: Final = b"MIXERCE\x00"
FORMAT: Final = 1
"""Bump on any change of the layout above: entries of another format are stale."""
_HEAD = len(MAGIC) + 8
_DIGEST = 32


class CacheEntryError(SnarkFormatError):
    """A cache entry that cannot be used; the cache rebuilds it."""


class StaleEntryError(CacheEntryError):
    """A well-formed entry written for another key, circuit, format or version of the code."""


class CorruptEntryError(CacheEntryError):
    """An entry that is truncated, altered or not an entry at all."""


# -- the container ---------------------------------------------------------------------------


def _container(header: Mapping[str, Any], body: Sequence[bytes]) -> bytes:
    head = json.dumps(dict(header), sort_keys=True).encode()
    data = b"".join([MAGIC, struct.pack(">II", FORMAT, len(head)), head, *body])
    return data + hashlib.sha256(data).digest()


def _open(data: bytes, kind: str, binding: Mapping[str, Any]) -> tuple[dict[str, Any], memoryview]:
    """The header and body of an entry of `kind` written for `binding`; CorruptEntryError or
    StaleEntryError otherwise."""
    if len(data) < _HEAD + _DIGEST or not data.startswith(MAGIC):
        raise CorruptEntryError("not a prover cache entry (or truncated)")
    version, head_len = struct.unpack_from(">II", data, len(MAGIC))
    if version != FORMAT:
        raise StaleEntryError(f"written in cache format {version}, this code reads {FORMAT}")
    if hashlib.sha256(memoryview(data)[:-_DIGEST]).digest() != data[-_DIGEST:]:
        raise CorruptEntryError("checksum mismatch: the file is truncated or altered")
    if _HEAD + head_len > len(data) - _DIGEST:
        raise CorruptEntryError("header longer than the file")
    try:
        header = jsonsafe.loads(data[_HEAD : _HEAD + head_len], what="cache entry header")
    except jsonsafe.UntrustedJSONError:
        raise CorruptEntryError("header is not JSON") from None
    if not isinstance(header, dict) or header.get("kind") != kind:
        raise CorruptEntryError(f"not a {kind} entry")
    for name, value in binding.items():
        if header.get(name) != value:
            raise StaleEntryError(f"written for another {name.replace('_', ' ')}")
    return header, memoryview(data)[_HEAD + head_len : -_DIGEST]


class _Body(WordReader):
    """A cache entry's body: CorruptEntryError past its end."""

    def __init__(self, data: memoryview) -> None:
        super().__init__(data, CorruptEntryError, "the body")

    def u32s(self, n: int, limit: int) -> array[int]:
        """`n` little-endian u32 values, each below `limit` (CorruptEntryError otherwise)."""
        out = array("I")
        out.frombytes(self.take(4 * n))
        if sys.byteorder == "big":
            out.byteswap()
        if n and max(out) >= limit:
            raise CorruptEntryError("an index points outside its table")
        return out


def _size(header: Mapping[str, Any], name: str) -> int:
    return header_size(header, name, CorruptEntryError)


def _u32_bytes(values: Iterable[int]) -> bytes:
    out = array("I", values)
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


class _Values:
    """The table of distinct coefficient values, in order of first use."""

    def __init__(self) -> None:
        self.index: dict[int, int] = {}

    def of(self, value: int) -> int:
        return self.index.setdefault(value, len(self.index))

    def encode(self) -> bytes:
        return b"".join(v.to_bytes(32, "big") for v in self.index)


# -- proving keys ----------------------------------------------------------------------------


def encode_key(pk: ProvingKey, binding: Mapping[str, Any]) -> bytes:
    """The entry of `pk`, which the caller has validated and checked against its circuit;
    `binding` (JSON values) is what `decode_key` must be given to accept it."""
    q = pk.qap
    values = _Values()
    matrices = []
    for entries in (q.a, q.b):
        matrices += [
            _u32_bytes(entries.rows),
            _u32_bytes(entries.wires),
            _u32_bytes(map(values.of, entries.values)),
        ]
    header = {
        **binding,
        "kind": "key",
        "circuit_digest": pk.circuit_digest,
        "n_vars": q.n_vars,
        "n_public": q.n_public,
        "domain_size": q.domain_size,
        "n_a": len(q.a),
        "n_b": len(q.b),
        "n_values": len(values.index),
    }
    body = [
        g1_bytes((pk.vk.alpha1, pk.beta1, pk.delta1)),
        g2_bytes((pk.vk.beta2, pk.vk.gamma2, pk.vk.delta2)),
        g1_bytes(pk.vk.ic),
        values.encode(),
        *matrices,
        g1_bytes(pk.a_points),
        g1_bytes(pk.b1_points),
        g2_bytes(pk.b2_points),
        g1_bytes(pk.c_points),
        g1_bytes(pk.h_points),
    ]
    return _container(header, body)


def _matrix(body: _Body, n: int, domain: int, n_vars: int, values: list[int]) -> Matrix:
    rows, wires = body.u32s(n, domain), body.u32s(n, n_vars)
    return Matrix(rows, wires, list(map(values.__getitem__, body.u32s(n, len(values)))))


def decode_key(data: bytes, binding: Mapping[str, Any]) -> ProvingKey:
    """The proving key of an entry written for `binding`, its points NOT checked (they were
    when it was written); StaleEntryError or CorruptEntryError if it cannot be used."""
    header, view = _open(data, "key", binding)
    n_vars, n_public = _size(header, "n_vars"), _size(header, "n_public")
    domain = _size(header, "domain_size")
    digest = header.get("circuit_digest")
    if (
        not n_public < n_vars
        or domain < 2
        or domain & (domain - 1)
        or not isinstance(digest, (str, type(None)))
    ):
        raise CorruptEntryError("header sizes are inconsistent")
    body = _Body(view)
    alpha1, beta1, delta1 = body.g1s(3)
    beta2, gamma2, delta2 = body.g2s(3)
    ic = body.g1s(n_public + 1)
    values = body.words(_size(header, "n_values"))
    a = _matrix(body, _size(header, "n_a"), domain, n_vars, values)
    b = _matrix(body, _size(header, "n_b"), domain, n_vars, values)
    pk = ProvingKey(
        vk=VerifyingKey(alpha1, beta2, gamma2, delta2, ic),
        circuit_digest=digest,
        qap=QAP(domain, n_vars, n_public, a, b),
        beta1=beta1,
        delta1=delta1,
        a_points=body.g1s(n_vars),
        b1_points=body.g1s(n_vars),
        b2_points=body.g2s(n_vars),
        c_points=body.g1s(n_vars - n_public - 1),
        h_points=body.g1s(domain),
    )
    body.end()
    return pk


# -- compiled circuits -----------------------------------------------------------------------


def encode_r1cs(r1cs: R1CS, binding: Mapping[str, Any]) -> bytes:
    """The entry of a compiled circuit; `binding` as for `encode_key`."""
    values = _Values()
    counts: list[int] = []
    wires: list[int] = []
    idx: list[int] = []
    for constraint in r1cs.constraints:
        for terms in constraint:
            counts.append(len(terms))
            for wire in sorted(terms):
                wires.append(wire)
                idx.append(values.of(terms[wire]))
    header = {
        **binding,
        "kind": "r1cs",
        "digest": r1cs.digest(),
        "n_wires": r1cs.n_wires,
        "n_public": r1cs.n_public,
        "n_private_inputs": r1cs.n_private_inputs,
        "n_constraints": r1cs.n_constraints,
        "n_terms": len(wires),
        "n_values": len(values.index),
        "labels": {str(wire): name for wire, name in r1cs.labels.items()},
    }
    return _container(header, [values.encode(), _u32_bytes(counts), _u32_bytes(wires), _u32_bytes(idx)])


def decode_r1cs(data: bytes, binding: Mapping[str, Any]) -> R1CS:
    """The compiled circuit of an entry written for `binding` (its digest as stored);
    StaleEntryError or CorruptEntryError if it cannot be used."""
    header, view = _open(data, "r1cs", binding)
    n_wires, n_constraints = _size(header, "n_wires"), _size(header, "n_constraints")
    n_terms, digest, labels = _size(header, "n_terms"), header.get("digest"), header.get("labels")
    if not isinstance(digest, str) or not isinstance(labels, dict):
        raise CorruptEntryError("header digest or labels are invalid")
    body = _Body(view)
    values = body.words(_size(header, "n_values"))
    counts = body.u32s(3 * n_constraints, n_terms + 1)
    wires = body.u32s(n_terms, n_wires)
    coefficients = list(map(values.__getitem__, body.u32s(n_terms, len(values))))
    body.end()
    if sum(counts) != n_terms:
        raise CorruptEntryError("term counts do not add up")
    terms = []
    pos = 0
    for count in counts:
        terms.append(dict(zip(wires[pos : pos + count], coefficients[pos : pos + count], strict=True)))
        pos += count
    it = iter(terms)
    constraints: tuple[Constraint, ...] = tuple(zip(it, it, it, strict=True))
    try:
        named = {int(wire): str(name) for wire, name in labels.items()}
    except ValueError:
        raise CorruptEntryError("header labels are invalid") from None
    r1cs = R1CS(
        n_wires=n_wires,
        n_public=_size(header, "n_public"),
        n_private_inputs=_size(header, "n_private_inputs"),
        constraints=constraints,
        labels=named,
    )
    return known_digest(r1cs, digest)
