"""A Groth16 proof and snarkjs's JSON shapes for points, proofs and public signals.

Parsing is strict about shape (a malformed file is a `SnarkFormatError`) but not about
curve membership: a proof with a point off the curve is well-formed and simply invalid,
which the verifier decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

G1: TypeAlias = tuple[int, int] | None
Fq2: TypeAlias = tuple[int, int]
G2: TypeAlias = tuple[Fq2, Fq2] | None

_MAX_WORD = 1 << 256


class SnarkFormatError(ValueError):
    """A proof, key or public-signal file that does not have the expected shape."""


def _int(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise SnarkFormatError(f"{what} must be a decimal integer")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 80:
        number = int(value)
    else:
        raise SnarkFormatError(f"{what} must be a decimal integer string")
    if not 0 <= number < _MAX_WORD:
        raise SnarkFormatError(f"{what} is out of range")
    return number


def _list(value: object, length: int, what: str) -> list[Any]:
    if not isinstance(value, list) or len(value) != length:
        raise SnarkFormatError(f"{what} must be a list of {length}")
    return value


def g1_to_snarkjs(p: G1) -> list[str]:
    if p is None:
        return ["0", "1", "0"]
    return [str(p[0]), str(p[1]), "1"]


def g2_to_snarkjs(p: G2) -> list[list[str]]:
    if p is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    (x0, x1), (y0, y1) = p
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


def g1_from_snarkjs(value: object, what: str) -> G1:
    """[x, y, z] with z = 1 (affine) or z = 0 (infinity)."""
    x, y, z = (_int(v, what) for v in _list(value, 3, what))
    if z == 0:
        return None
    if z != 1:
        raise SnarkFormatError(f"{what} must be affine (z = 1)")
    return (x, y)


def g2_from_snarkjs(value: object, what: str) -> G2:
    """[[x0, x1], [y0, y1], [z0, z1]] with z = 1 (affine) or z = 0 (infinity)."""
    x, y, z = (tuple(_int(c, what) for c in _list(v, 2, what)) for v in _list(value, 3, what))
    if z == (0, 0):
        return None
    if z != (1, 0):
        raise SnarkFormatError(f"{what} must be affine (z = 1)")
    return ((x[0], x[1]), (y[0], y[1]))


def public_to_snarkjs(public: Sequence[int]) -> list[str]:
    return [str(x) for x in public]


def public_from_snarkjs(value: object) -> list[int]:
    """public.json: a list of decimal strings. Values >= r parse (the verifier rejects them)."""
    if not isinstance(value, list):
        raise SnarkFormatError("public signals must be a JSON list")
    return [_int(v, f"public signal {i}") for i, v in enumerate(value)]


@dataclass(frozen=True)
class Proof:
    """Groth16 proof (A in G1, B in G2, C in G1), affine; G2 coordinates as (c0, c1)."""

    a: G1
    b: G2
    c: G1

    def to_snarkjs(self) -> dict[str, Any]:
        """snarkjs's proof.json shape."""
        return {
            "pi_a": g1_to_snarkjs(self.a),
            "pi_b": g2_to_snarkjs(self.b),
            "pi_c": g1_to_snarkjs(self.c),
            "protocol": "groth16",
            "curve": "bn128",
        }

    @classmethod
    def from_snarkjs(cls, data: object) -> Proof:
        """Parse snarkjs's proof.json shape; SnarkFormatError if it is not one."""
        if not isinstance(data, dict):
            raise SnarkFormatError("a proof must be a JSON object")
        for field, expected in (("protocol", "groth16"), ("curve", "bn128")):
            if field in data and data[field] != expected:
                raise SnarkFormatError(f"proof {field} must be {expected!r}")
        missing = [k for k in ("pi_a", "pi_b", "pi_c") if k not in data]
        if missing:
            raise SnarkFormatError(f"proof lacks {', '.join(missing)}")
        return cls(
            a=g1_from_snarkjs(data["pi_a"], "pi_a"),
            b=g2_from_snarkjs(data["pi_b"], "pi_b"),
            c=g1_from_snarkjs(data["pi_c"], "pi_c"),
        )
