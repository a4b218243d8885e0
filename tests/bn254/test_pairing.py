"""The pairing check against its algebra and against py_ecc's pairing."""

from __future__ import annotations

import random

from py_ecc import optimized_bn128 as ref

from mixer.bn254 import G1_GEN, G2_GEN, g1_mul, g1_neg, g2_mul, pairing_check
from mixer.bn254.fields import Fq12
from mixer.bn254.pairing import pairing
from mixer.field import R

rng = random.Random(197)


def to_py_ecc(f: Fq12) -> ref.FQ12:
    """Our tower (w^2 = v, v^3 = 9 + u) as py_ecc's flat F_p12 (w^12 = 18 w^6 - 82, u = w^6 - 9)."""
    coeffs = [0] * 12
    for i in range(2):
        for j in range(3):
            a0, a1 = f[i][j]
            coeffs[2 * j + i] += int(a0) - 9 * int(a1)
            coeffs[2 * j + i + 6] += int(a1)
    return ref.FQ12(coeffs)


def test_pairing_equals_py_ecc_pairing() -> None:
    a, b = rng.randrange(1, R), rng.randrange(1, R)
    ours = pairing(g1_mul(G1_GEN, a), g2_mul(G2_GEN, b))
    theirs = ref.pairing(ref.multiply(ref.G2, b), ref.multiply(ref.G1, a))
    assert to_py_ecc(ours) == theirs


def test_check_accepts_bilinear_product_and_rejects_perturbed_scalar() -> None:
    a, b = rng.randrange(1, R), rng.randrange(1, R)
    pa, qb = g1_mul(G1_GEN, a), g2_mul(G2_GEN, b)
    assert pairing_check([(pa, qb), (g1_neg(g1_mul(G1_GEN, a * b)), G2_GEN)])
    assert not pairing_check([(pa, qb), (g1_neg(g1_mul(G1_GEN, a * b + 1)), G2_GEN)])


def test_check_with_four_pairs_like_groth16() -> None:
    a, b, c, d = (rng.randrange(1, R) for _ in range(4))
    # e(aG, bH) = e(cG, dH) * e(G, (ab - cd)H) * e(0, anything)
    pairs = [
        (g1_neg(g1_mul(G1_GEN, a)), g2_mul(G2_GEN, b)),
        (g1_mul(G1_GEN, c), g2_mul(G2_GEN, d)),
        (G1_GEN, g2_mul(G2_GEN, a * b - c * d)),
        (None, G2_GEN),
    ]
    assert pairing_check(pairs)
    pairs[2] = (G1_GEN, g2_mul(G2_GEN, a * b - c * d + 1))
    assert not pairing_check(pairs)


def test_infinity_and_empty_products_are_one() -> None:
    assert pairing_check([])
    assert pairing_check([(None, G2_GEN), (G1_GEN, None)])
    assert not pairing_check([(G1_GEN, G2_GEN)])
