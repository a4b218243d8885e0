"""snarkjs's JSON shapes: points, proof.json, public.json and verification_key.json.

Parsing is strict about shape (a malformed file is a `SnarkFormatError`) but not about
values: a proof whose numbers encode no acceptable point (off the curve, a coordinate
>= p or even >= 2^256, a projective z other than 1, or 0 for infinity) is well-formed and
simply invalid, which the verifier decides. Keys are stricter: a verifying key with such
a point is unusable (`SnarkFormatError`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mixer.bn254 import G1, G2
from mixer.snark.errors import SnarkFormatError
from mixer.snark.keys import VerifyingKey
from mixer.snark.proof import Proof

_MAX_WORD = 1 << 256
_MAX_DIGITS = 80
"""Longer decimal strings are not converted (a megabyte of digits must not cost seconds):
no field element or 256-bit word has that many."""


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


def proof_to_snarkjs(proof: Proof) -> dict[str, Any]:
    """snarkjs's proof.json shape."""
    return {
        "pi_a": g1_to_snarkjs(proof.a),
        "pi_b": g2_to_snarkjs(proof.b),
        "pi_c": g1_to_snarkjs(proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    }


def proof_from_snarkjs(data: object) -> Proof:
    """Parse snarkjs's proof.json shape; SnarkFormatError if it is not one. Numbers
    that encode no affine point give an invalid proof (`Proof.defect`), not an error."""
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
    return Proof(a=a, b=b, c=c, defect=a_defect or b_defect or c_defect)


def vk_to_snarkjs(vk: VerifyingKey) -> dict[str, Any]:
    """snarkjs's verification_key.json shape (without `vk_alphabeta_12`, which it never reads)."""
    return {
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.n_public,
        "vk_alpha_1": g1_to_snarkjs(vk.alpha1),
        "vk_beta_2": g2_to_snarkjs(vk.beta2),
        "vk_gamma_2": g2_to_snarkjs(vk.gamma2),
        "vk_delta_2": g2_to_snarkjs(vk.delta2),
        "IC": [g1_to_snarkjs(p) for p in vk.ic],
    }


def vk_from_snarkjs(data: object) -> VerifyingKey:
    """Parse and validate: every point on its curve and in its subgroup, none infinity."""
    if not isinstance(data, dict):
        raise SnarkFormatError("a verification key must be a JSON object")
    if data.get("protocol") != "groth16" or data.get("curve", "bn128") != "bn128":
        raise SnarkFormatError("verification key is not groth16 on bn128")
    try:
        ic_raw = data["IC"]
        if not isinstance(ic_raw, list) or not ic_raw:
            raise SnarkFormatError("verification key IC must be a non-empty list")
        vk = VerifyingKey(
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
