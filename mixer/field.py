"""The BN254 scalar field F_r, where every hash input, circuit wire and proof scalar lives."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Final

R: Final = 21888242871839275222246405745257275088548364400416034343698204186575808495617
"""Order of the BN254 (alt_bn128) G1 group; the prime of the scalar field."""

FIELD_BYTES: Final = 32


def is_element(x: int) -> bool:
    """True when `x` is a canonical field element, i.e. 0 <= x < R.

    Canonical form matters at trust boundaries: `x` and `x + R` are the same field
    element, so accepting both would let one nullifier be spent twice.
    """
    return 0 <= x < R


def reduce(x: int) -> int:
    """The canonical representative of `x` modulo R."""
    return x % R


def inverse(x: int) -> int:
    """Multiplicative inverse modulo R; raises ZeroDivisionError for 0."""
    if x % R == 0:
        raise ZeroDivisionError("0 has no inverse in F_r")
    return pow(x, -1, R)


def batch_inverse(xs: Sequence[int]) -> list[int]:
    """Inverses of all `xs` with one modular inversion (Montgomery's trick)."""
    prefix = [1] * (len(xs) + 1)
    acc = 1
    for i, x in enumerate(xs):
        if x % R == 0:
            raise ZeroDivisionError("0 has no inverse in F_r")
        acc = acc * x % R
        prefix[i + 1] = acc
    inv = pow(acc, -1, R)
    out = [0] * len(xs)
    for i in range(len(xs) - 1, -1, -1):
        out[i] = prefix[i] * inv % R
        inv = inv * xs[i] % R
    return out


def random_element() -> int:
    """A uniformly random field element from the OS CSPRNG."""
    return secrets.randbelow(R)


def to_bytes32(x: int) -> bytes:
    """Big-endian 32-byte encoding of a canonical field element."""
    if not is_element(x):
        raise ValueError("value is not a canonical field element (must be < r)")
    return x.to_bytes(FIELD_BYTES, "big")


def from_bytes32(data: bytes) -> int:
    """Decode 32 big-endian bytes, rejecting values >= R rather than reducing them."""
    if len(data) != FIELD_BYTES:
        raise ValueError(f"expected {FIELD_BYTES} bytes, got {len(data)}")
    x = int.from_bytes(data, "big")
    if not is_element(x):
        raise ValueError("value is not a canonical field element (must be < r)")
    return x
