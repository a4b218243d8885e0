"""The GLV endomorphism: [k] P = [k1] P + [k2] phi(P) with |k1|, |k2| about sqrt(R).

Both BN254 groups have j-invariant 0, so phi(x, y) = (beta * x, y) with beta a cube root of
unity in F_p is an endomorphism, acting on each group as multiplication by a cube root of
unity LAMBDA mod R. Splitting every 254-bit scalar into two ~127-bit halves halves the
number of Pippenger windows for twice the points, which saves the per-window bucket sums.
"""

from __future__ import annotations

from math import isqrt
from typing import Any, Final

from mixer.bn254.fields import MP, P
from mixer.bn254.g1 import G1_GEN, g1_affine_in, jac_mul, to_jac
from mixer.bn254.g1 import from_jac as g1_from_jac
from mixer.bn254.g2 import G2_GEN, from_jac2, g2_affine_in, jac2_mul, to_jac2
from mixer.fastint import mpz
from mixer.field import R


def _cube_root_of_unity(modulus: int) -> int:
    for g in range(2, 100):
        root = pow(g, (modulus - 1) // 3, modulus)
        if root != 1:
            return root
    raise AssertionError("unreachable: a non-cube exists below 100")


LAMBDA: Final = _cube_root_of_unity(R)
_BETA = _cube_root_of_unity(P)


def _beta_for(eigenvalue_point: Any, generator: Any, scale_x: Any) -> Any:
    """The cube root of unity beta (or beta^2) whose map (beta x, y) is [LAMBDA] on this group."""
    for beta in (mpz(_BETA), mpz(_BETA * _BETA % P)):
        if scale_x(generator, beta) == eigenvalue_point:
            return beta
    raise AssertionError("no cube root of unity matches LAMBDA")


def _scale_g1(p: Any, beta: Any) -> Any:
    return (p[0] * beta % MP, p[1])


def _scale_g2(p: Any, beta: Any) -> Any:
    return (p[0] * beta % MP, p[1] * beta % MP, p[2], p[3])


_BETA_G1 = _beta_for(
    g1_affine_in(g1_from_jac(jac_mul(to_jac(G1_GEN), LAMBDA))), g1_affine_in(G1_GEN), _scale_g1
)
_BETA_G2 = _beta_for(
    g2_affine_in(from_jac2(jac2_mul(to_jac2(G2_GEN), LAMBDA))), g2_affine_in(G2_GEN), _scale_g2
)


def endomorphism_g1(p: Any) -> Any:
    """[LAMBDA] p for an internal affine G1 point, at the cost of one multiplication."""
    return _scale_g1(p, _BETA_G1)


def endomorphism_g2(p: Any) -> Any:
    """[LAMBDA] p for an internal affine G2 point, at the cost of two multiplications."""
    return _scale_g2(p, _BETA_G2)


def _short_basis() -> tuple[tuple[int, int], tuple[int, int]]:
    # Extended Euclid on (R, LAMBDA): every remainder r_i = s_i R + t_i LAMBDA, so (r_i, -t_i)
    # lies in the lattice {(a, b): a - b LAMBDA = 0 mod R}; the rows around sqrt(R) are short.
    r0, r1, t0, t1 = R, LAMBDA, 0, 1
    bound = isqrt(R)
    while r1 >= bound:
        q = r0 // r1
        r0, r1, t0, t1 = r1, r0 - q * r1, t1, t0 - q * t1
    q = r0 // r1
    r2, t2 = r0 - q * r1, t0 - q * t1
    v1 = (r1, -t1)
    v2 = min((r0, -t0), (r2, -t2), key=lambda v: v[0] ** 2 + v[1] ** 2)
    return v1, v2


(_A1, _B1), (_A2, _B2) = _short_basis()


def decompose(k: int) -> tuple[int, int]:
    """(k1, k2) with k1 + k2 * LAMBDA = k (mod R) and |k1|, |k2| < 2^128, for 0 <= k < R."""
    c1 = (2 * _B2 * k + R) // (2 * R)
    c2 = (-2 * _B1 * k + R) // (2 * R)
    return k - c1 * _A1 - c2 * _A2, -c1 * _B1 - c2 * _B2
