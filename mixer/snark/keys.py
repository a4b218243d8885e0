"""Groth16 proving and verifying keys, and the project's versioned key file.

A proving key holds what snarkjs's `.zkey` holds (same QAP layout, see `qap`), plus the
digest of the R1CS it was made for, so that proving with a key for another circuit fails
loudly instead of producing proofs no verifier accepts. Keys imported from a `.zkey` have
no digest; they are matched to a circuit by their A/B matrices instead (`check_circuit`).

Key file layout (all integers big-endian):
  magic b"MIXERPK\\0" | version u32 | header length u32 | header (JSON, utf-8)
  | alpha1 beta1 delta1 (G1) | beta2 gamma2 delta2 (G2) | IC (n_public + 1 G1)
  | A coefficients, B coefficients (row u32, wire u32, value 32 bytes each)
  | A points, B1 points (n_vars G1) | B2 points (n_vars G2)
  | C points (n_vars - n_public - 1 G1) | H points (domain_size G1) | SHA-256 of all the above
G1 = x | y (32 bytes each); G2 = x.c0 | x.c1 | y.c0 | y.c1; infinity = all zero bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from mixer import jsonsafe
from mixer.bn254 import g1_is_on_curve, g1_neg, g2_in_subgroup, g2_is_on_curve, g2_neg
from mixer.errors import MixerError
from mixer.field import R
from mixer.snark import qap as qap_mod
from mixer.snark.proof import (
    G1,
    G2,
    SnarkFormatError,
    g1_from_snarkjs,
    g1_to_snarkjs,
    g2_from_snarkjs,
    g2_to_snarkjs,
)
from mixer.snark.qap import QAP, Coefficient
from mixer.snark.r1cs import R1CS

MAGIC: Final = b"MIXERPK\x00"
VERSION: Final = 1
_DIGEST_SIZE = 32


class KeyMismatchError(MixerError, ValueError):
    """A proving key made for a different circuit than the one being proven."""


class ForgeableKeyError(SnarkFormatError):
    """A well-formed verifying key for which anyone can make accepted proofs without a witness.

    A `SnarkFormatError`, so every caller that refuses an unusable key refuses this one too.
    """


@dataclass(frozen=True)
class VerifyingKey:
    alpha1: G1
    beta2: G2
    gamma2: G2
    delta2: G2
    ic: tuple[G1, ...]
    """IC[0] for the constant wire, then one point per public input."""

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1

    def to_snarkjs(self) -> dict[str, Any]:
        """snarkjs's verification_key.json shape (without `vk_alphabeta_12`, which it never reads)."""
        return {
            "protocol": "groth16",
            "curve": "bn128",
            "nPublic": self.n_public,
            "vk_alpha_1": g1_to_snarkjs(self.alpha1),
            "vk_beta_2": g2_to_snarkjs(self.beta2),
            "vk_gamma_2": g2_to_snarkjs(self.gamma2),
            "vk_delta_2": g2_to_snarkjs(self.delta2),
            "IC": [g1_to_snarkjs(p) for p in self.ic],
        }

    @classmethod
    def from_snarkjs(cls, data: object) -> VerifyingKey:
        """Parse and validate: every point on its curve and in its subgroup, none infinity."""
        if not isinstance(data, dict):
            raise SnarkFormatError("a verification key must be a JSON object")
        if data.get("protocol") != "groth16" or data.get("curve", "bn128") != "bn128":
            raise SnarkFormatError("verification key is not groth16 on bn128")
        try:
            ic_raw = data["IC"]
            if not isinstance(ic_raw, list) or not ic_raw:
                raise SnarkFormatError("verification key IC must be a non-empty list")
            vk = cls(
                alpha1=g1_from_snarkjs(data["vk_alpha_1"], "vk_alpha_1"),
                beta2=g2_from_snarkjs(data["vk_beta_2"], "vk_beta_2"),
                gamma2=g2_from_snarkjs(data["vk_gamma_2"], "vk_gamma_2"),
                delta2=g2_from_snarkjs(data["vk_delta_2"], "vk_delta_2"),
                ic=tuple(g1_from_snarkjs(p, f"IC[{i}]") for i, p in enumerate(ic_raw)),
            )
        except KeyError as exc:
            raise SnarkFormatError(f"verification key lacks {exc.args[0]}") from None
        if "nPublic" in data and data["nPublic"] != vk.n_public:
            raise SnarkFormatError("verification key nPublic does not match its IC length")
        vk.validate()
        return vk

    def validate(self) -> None:
        """SnarkFormatError unless every point is a member of its group; ForgeableKeyError if
        the points are degenerate so that proofs can be made without a witness (`_refuse_forgeable`)."""
        for name, p in (("vk_alpha_1", self.alpha1), *((f"IC[{i}]", p) for i, p in enumerate(self.ic))):
            if p is not None and not g1_is_on_curve(p):
                raise SnarkFormatError(f"verification key {name} is not a point of G1")
        for name, q in (("vk_beta_2", self.beta2), ("vk_gamma_2", self.gamma2), ("vk_delta_2", self.delta2)):
            if q is not None and not (g2_is_on_curve(q) and g2_in_subgroup(q)):
                raise SnarkFormatError(f"verification key {name} is not a point of G2")
        _refuse_forgeable(self)


_FORGEABLE: Final = ": anyone could forge proofs for it"


def _refuse_forgeable(vk: VerifyingKey) -> None:
    """ForgeableKeyError if `vk` has a degeneracy that anyone can exploit from the key alone.

    The verifier accepts A, B, C (none the identity) when
    e(A, B) = e(alpha, beta) e(vk_x, gamma) e(C, delta), with vk_x = IC[0] + sum x_i IC[i].
    Groth16 is sound only if nobody knows a relation between the key's points. Each check
    refuses a relation that is public, with the forgery it allows:

    - delta == gamma, the key of a snarkjs `_0000.zkey` (no phase-2 contribution):
      A = alpha, B = beta, C = -vk_x. delta == -gamma: the same with C = vk_x.
    - beta == +-gamma: A = C = vk_x +- alpha, B = gamma + delta.
    - beta == +-delta: A = vk_x, B = gamma, C = -+alpha.
    - alpha or beta the identity: A = C = vk_x, B = gamma + delta.
    - gamma the identity: A = C = alpha, B = beta + delta, whatever the public inputs.
    - delta the identity: no setup makes it (delta divides the proving key's C and H
      points), and C would drop out of the check.
    - IC[i] the identity: public input i is bound by nothing. IC[i] == +-IC[j] for two
      public inputs: shifting x_i by t and x_j by -+t keeps vk_x, so one valid withdrawal
      yields proofs for other nullifier hashes. An honest setup never gives either (each
      public input has its own QAP row, see `qap`).

    A relation known only to whoever made the key (its toxic waste, or a delta that is a
    small multiple of gamma) does not show in the points: a phase-2 ceremony with one
    honest contributor is what rules that out (docs/ceremony.md).
    """
    g2s = (("beta", vk.beta2), ("gamma", vk.gamma2), ("delta", vk.delta2))
    for name, point in (("alpha", vk.alpha1), *g2s):
        if point is None:
            raise ForgeableKeyError(f"this key's {name} is the point at infinity{_FORGEABLE}")
    if vk.delta2 == vk.gamma2:
        raise ForgeableKeyError(f"this key has had no phase-2 contribution (delta == gamma){_FORGEABLE}")
    for (left, p), (right, q) in itertools.combinations(g2s, 2):
        if p == q or p == g2_neg(q):
            raise ForgeableKeyError(f"this key has {left} == +-{right}{_FORGEABLE}")
    for i, p1 in enumerate(vk.ic):
        if p1 is None:
            raise ForgeableKeyError(
                f"this key's IC[{i}] is the point at infinity: proofs would not bind input {i}"
            )
    for (i, p1), (j, q1) in itertools.combinations(enumerate(vk.ic[1:], start=1), 2):
        if p1 == q1 or p1 == g1_neg(q1):
            raise ForgeableKeyError(
                f"this key has IC[{i}] == +-IC[{j}]: from one valid proof anyone could forge proofs "
                "for other public inputs"
            )


@dataclass(frozen=True, eq=False)
class ProvingKey:
    """Everything `groth16.prove` needs; `vk` is the matching verifying key."""

    vk: VerifyingKey
    circuit_digest: str | None
    """`R1CS.digest()` of the circuit, or None for keys imported from a snarkjs `.zkey`."""
    qap: QAP
    beta1: G1
    delta1: G1
    a_points: tuple[G1, ...]
    b1_points: tuple[G1, ...]
    b2_points: tuple[G2, ...]
    c_points: tuple[G1, ...]
    """One per private wire (wires n_public + 1 ..)."""
    h_points: tuple[G1, ...]

    def check_circuit(self, r1cs: R1CS) -> None:
        """KeyMismatchError unless this key was made for `r1cs`."""
        if self.circuit_digest is not None:
            if self.circuit_digest != r1cs.digest():
                raise KeyMismatchError(
                    "the proving key was made for another circuit "
                    f"(key digest {self.circuit_digest[:16]}..., circuit digest {r1cs.digest()[:16]}...)"
                )
            return
        ours = qap_mod.from_r1cs(r1cs)
        if (ours.n_vars, ours.n_public, ours.domain_size) != (
            self.qap.n_vars,
            self.qap.n_public,
            self.qap.domain_size,
        ):
            raise KeyMismatchError(
                f"the proving key was made for another circuit ({self.qap.n_vars} wires, "
                f"{self.qap.n_public} public; this circuit has {ours.n_vars} wires, {ours.n_public} public)"
            )
        if sorted(ours.a) != sorted(self.qap.a) or sorted(ours.b) != sorted(self.qap.b):
            raise KeyMismatchError("the proving key was made for another circuit (its constraints differ)")


# -- our key file ---------------------------------------------------------------------------------


def _g1_bytes(p: G1) -> bytes:
    return bytes(64) if p is None else p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big")


def _g2_bytes(p: G2) -> bytes:
    if p is None:
        return bytes(128)
    (x0, x1), (y0, y1) = p
    return b"".join(v.to_bytes(32, "big") for v in (x0, x1, y0, y1))


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
    parts += [_g1_bytes(p) for p in (pk.vk.alpha1, pk.beta1, pk.delta1)]
    parts += [_g2_bytes(p) for p in (pk.vk.beta2, pk.vk.gamma2, pk.vk.delta2)]
    parts += [_g1_bytes(p) for p in pk.vk.ic]
    parts += [_coefficient_bytes(c) for c in (*q.a, *q.b)]
    parts += [_g1_bytes(p) for p in (*pk.a_points, *pk.b1_points)]
    parts += [_g2_bytes(p) for p in pk.b2_points]
    parts += [_g1_bytes(p) for p in (*pk.c_points, *pk.h_points)]
    body = b"".join(parts)
    return body + hashlib.sha256(body).digest()


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> memoryview:
        if self.pos + n > len(self.data):
            raise SnarkFormatError("key file is truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def words(self, n: int) -> Iterator[int]:
        chunk = self.take(32 * n)
        return (int.from_bytes(chunk[i : i + 32], "big") for i in range(0, 32 * n, 32))


def _g1s(reader: _Reader, n: int) -> tuple[G1, ...]:
    w = list(reader.words(2 * n))
    out: list[G1] = []
    for i in range(n):
        x, y = w[2 * i], w[2 * i + 1]
        out.append(None if x == 0 and y == 0 else (x, y))
    return tuple(out)


def _g2s(reader: _Reader, n: int) -> tuple[G2, ...]:
    w = list(reader.words(4 * n))
    out: list[G2] = []
    for i in range(n):
        x0, x1, y0, y1 = w[4 * i : 4 * i + 4]
        out.append(None if x0 == x1 == y0 == y1 == 0 else ((x0, x1), (y0, y1)))
    return tuple(out)


def _coefficients(reader: _Reader, n: int) -> tuple[Coefficient, ...]:
    chunk = reader.take(40 * n)
    out = []
    for i in range(0, 40 * n, 40):
        row, wire = struct.unpack_from(">II", chunk, i)
        out.append((row, wire, int.from_bytes(chunk[i + 8 : i + 40], "big")))
    return tuple(out)


def _header_int(header: dict[str, Any], name: str, limit: int = 1 << 28) -> int:
    value = header.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
        raise SnarkFormatError(f"key file header field {name!r} is invalid")
    return value


def decode(data: bytes) -> ProvingKey:
    """Parse our key file; SnarkFormatError if it is corrupt, truncated or of another version."""
    if len(data) < len(MAGIC) + 8 + _DIGEST_SIZE or not data.startswith(MAGIC):
        raise SnarkFormatError("not a mixer proving key file")
    body, digest = data[:-_DIGEST_SIZE], data[-_DIGEST_SIZE:]
    version, header_len = struct.unpack_from(">II", data, len(MAGIC))
    if version != VERSION:
        raise SnarkFormatError(f"unsupported key file version {version} (this build reads {VERSION})")
    if hashlib.sha256(body).digest() != digest:
        raise SnarkFormatError("key file is corrupt (checksum mismatch)")
    reader = _Reader(memoryview(body))
    reader.take(len(MAGIC) + 8)
    try:
        header = jsonsafe.loads(bytes(reader.take(header_len)), what="key file header")
    except jsonsafe.UntrustedJSONError:
        raise SnarkFormatError("key file header is not JSON") from None
    if not isinstance(header, dict):
        raise SnarkFormatError("key file header is not a JSON object")
    digest_field = header.get("circuit_digest")
    if digest_field is not None and not isinstance(digest_field, str):
        raise SnarkFormatError("key file circuit digest is invalid")
    n_vars, n_public = _header_int(header, "n_vars"), _header_int(header, "n_public")
    domain = _header_int(header, "domain_size")
    if not n_public < n_vars:
        raise SnarkFormatError("key file has more public inputs than wires")
    alpha1, beta1, delta1 = _g1s(reader, 3)
    beta2, gamma2, delta2 = _g2s(reader, 3)
    ic = _g1s(reader, n_public + 1)
    a = _coefficients(reader, _header_int(header, "n_a"))
    b = _coefficients(reader, _header_int(header, "n_b"))
    qap = QAP(domain, n_vars, n_public, a, b)
    check_coefficients(qap)
    pk = ProvingKey(
        vk=VerifyingKey(alpha1, beta2, gamma2, delta2, ic),
        circuit_digest=digest_field,
        qap=qap,
        beta1=beta1,
        delta1=delta1,
        a_points=_g1s(reader, n_vars),
        b1_points=_g1s(reader, n_vars),
        b2_points=_g2s(reader, n_vars),
        c_points=_g1s(reader, n_vars - n_public - 1),
        h_points=_g1s(reader, domain),
    )
    if reader.pos != len(body):
        raise SnarkFormatError("key file has trailing data")
    validate_key_points(pk)
    return pk


def check_coefficients(qap: QAP) -> None:
    """SnarkFormatError if a coefficient points outside the domain or the wires."""
    if qap.domain_size & (qap.domain_size - 1) or qap.domain_size < 2:
        raise SnarkFormatError("key domain size is not a power of two")
    for row, wire, value in (*qap.a, *qap.b):
        if row >= qap.domain_size or wire >= qap.n_vars or value >= R:
            raise SnarkFormatError("key has a coefficient outside its domain or wires")


def validate_key_points(pk: ProvingKey) -> None:
    """SnarkFormatError unless every point is on its curve (a corrupt file fails here, not
    as proofs nobody accepts) and the verifying key's points are non-identity group members."""
    pk.vk.validate()
    for p in (pk.beta1, pk.delta1):
        if p is None or not g1_is_on_curve(p):
            raise SnarkFormatError("proving key beta1/delta1 must be points of G1")
    for name, g1s in (("A", pk.a_points), ("B1", pk.b1_points), ("C", pk.c_points), ("H", pk.h_points)):
        if not all(g1_is_on_curve(p) for p in g1s):
            raise SnarkFormatError(f"proving key has a point off the curve in {name}")
    if not all(g2_is_on_curve(p) for p in pk.b2_points):
        raise SnarkFormatError("proving key has a point off the curve in B2")
