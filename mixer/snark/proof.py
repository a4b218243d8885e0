"""A Groth16 proof and snarkjs's JSON shapes for points, proofs and public signals.

Parsing is strict about shape (a malformed file is a `SnarkFormatError`) but not about
values: a proof whose numbers encode no acceptable point (off the curve, a coordinate
>= p or even >= 2^256, a projective z other than 1, or 0 for infinity) is well-formed and
simply invalid, which the verifier decides. Keys are stricter: a verifying key with such
a point is unusable (`SnarkFormatError`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from mixer.errors import MixerError

G1: TypeAlias = tuple[int, int] | None
Fq2: TypeAlias = tuple[int, int]
G2: TypeAlias = tuple[Fq2, Fq2] | None

_MAX_WORD = 1 << 256
_MAX_DIGITS = 80
"""Longer decimal strings are not converted (a megabyte of digits must not cost seconds):
no field element or 256-bit word has that many."""


class SnarkFormatError(MixerError, ValueError):
    """A proof, key or public-signal file that does not have the expected shape."""


def _number(value: object, what: str) -> int | None:
    """A JSON integer or decimal string; None for one of more than _MAX_DIGITS digits."""
    if isinstance(value, bool):
        raise SnarkFormatError(f"{what} must be a decimal integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value) if len(value) <= _MAX_DIGITS else None
    raise SnarkFormatError(f"{what} must be a decimal integer string")


def _in_range(number: int | None) -> bool:
    return number is not None and 0 <= number < _MAX_WORD


def _int(value: object, what: str) -> int:
    number = _number(value, what)
    if number is None or not _in_range(number):
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


def _defect(numbers: Sequence[int | None], z: Sequence[int | None], what: str) -> str | None:
    """Why these coordinates encode no affine point (or infinity), or None if they do."""
    if not all(_in_range(n) for n in (*numbers, *z)):
        return f"{what} has a coordinate out of range"
    if any(z[1:]) or z[0] not in (0, 1):
        return f"{what} must be affine (z = 1, or 0 for infinity)"
    return None


def _g1_lenient(value: object, what: str) -> tuple[G1, str | None]:
    """[x, y, z]: the point, or None and the defect when the numbers encode no affine point."""
    x, y, z = (_number(v, what) for v in _list(value, 3, what))
    defect = _defect((x, y), (z,), what)
    if defect is not None or z == 0:
        return None, defect
    assert x is not None and y is not None  # _defect checked them
    return (x, y), None


def _g2_lenient(value: object, what: str) -> tuple[G2, str | None]:
    """[[x0, x1], [y0, y1], [z0, z1]], as `_g1_lenient`."""
    x, y, z = ([_number(c, what) for c in _list(v, 2, what)] for v in _list(value, 3, what))
    defect = _defect((*x, *y), z, what)
    if defect is not None or z == [0, 0]:
        return None, defect
    x0, x1, y0, y1 = (c for c in (*x, *y) if c is not None)
    return ((x0, x1), (y0, y1)), None


def g1_from_snarkjs(value: object, what: str) -> G1:
    """[x, y, z] with z = 1 (affine) or z = 0 (infinity); SnarkFormatError otherwise."""
    point, defect = _g1_lenient(value, what)
    if defect is not None:
        raise SnarkFormatError(defect)
    return point


def g2_from_snarkjs(value: object, what: str) -> G2:
    """[[x0, x1], [y0, y1], [z0, z1]] with z = 1 (affine) or z = 0 (infinity)."""
    point, defect = _g2_lenient(value, what)
    if defect is not None:
        raise SnarkFormatError(defect)
    return point


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
    defect: str | None = None
    """Set by `from_snarkjs` when the file's numbers encode no affine point (a coordinate
    >= 2^256, z other than 0 or 1; that point is then None): `verify` rejects the proof."""

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
        """Parse snarkjs's proof.json shape; SnarkFormatError if it is not one. Numbers
        that encode no affine point give an invalid proof (`defect`), not an error."""
        if not isinstance(data, dict):
            raise SnarkFormatError("a proof must be a JSON object")
        for field, expected in (("protocol", "groth16"), ("curve", "bn128")):
            if field in data and data[field] != expected:
                raise SnarkFormatError(f"proof {field} must be {expected!r}")
        missing = [k for k in ("pi_a", "pi_b", "pi_c") if k not in data]
        if missing:
            raise SnarkFormatError(f"proof lacks {', '.join(missing)}")
        a, a_defect = _g1_lenient(data["pi_a"], "pi_a")
        b, b_defect = _g2_lenient(data["pi_b"], "pi_b")
        c, c_defect = _g1_lenient(data["pi_c"], "pi_c")
        return cls(a=a, b=b, c=c, defect=a_defect or b_defect or c_defect)
