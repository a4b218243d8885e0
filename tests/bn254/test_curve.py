"""G1/G2 arithmetic against py_ecc, curve and subgroup membership."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from py_ecc import optimized_bn128 as ref

from mixer.bn254 import (
    G1,
    G1_GEN,
    G2,
    G2_GEN,
    P,
    g1_add,
    g1_is_on_curve,
    g1_mul,
    g1_mul_many,
    g1_neg,
    g2_add,
    g2_in_subgroup,
    g2_is_on_curve,
    g2_mul,
    g2_mul_many,
    g2_neg,
)
from mixer.bn254.fields import f2, f2_add, f2_int, f2_mul, f2_sqr, f2_sqrt
from mixer.bn254.g2 import B2
from mixer.field import R

rng = random.Random(254)


def ref_g1(k: int) -> G1:
    x, y = ref.normalize(ref.multiply(ref.G1, k % R))
    return None if k % R == 0 else (int(x), int(y))


def ref_g2(k: int) -> G2:
    x, y = ref.normalize(ref.multiply(ref.G2, k % R))
    return (
        None if k % R == 0 else ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))
    )


def test_generators_are_py_ecc_generators() -> None:
    assert ref_g1(1) == G1_GEN
    assert ref_g2(1) == G2_GEN


@pytest.mark.parametrize("k", [0, 1, 2, 3, R - 1, R, R + 5, -7, *(rng.randrange(R) for _ in range(3))])
def test_g1_mul_matches_py_ecc(k: int) -> None:
    assert g1_mul(G1_GEN, k) == ref_g1(k)


@pytest.mark.parametrize("k", [0, 1, 2, R - 1, -7, *(rng.randrange(R) for _ in range(2))])
def test_g2_mul_matches_py_ecc(k: int) -> None:
    assert g2_mul(G2_GEN, k) == ref_g2(k)


GROUP_OPS: dict[str, tuple[Callable[[int], Any], Callable[[Any, Any], Any], Callable[[Any], Any]]] = {
    "g1": (ref_g1, g1_add, g1_neg),
    "g2": (ref_g2, g2_add, g2_neg),
}
"""Per group: [k] G from py_ecc, our add, our neg."""


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_add_neg_match_py_ecc_including_edge_cases(group: str) -> None:
    ref_mul, add, neg = GROUP_OPS[group]
    a, b = rng.randrange(1, R), rng.randrange(1, R)
    pa, pb = ref_mul(a), ref_mul(b)
    assert add(pa, pb) == ref_mul(a + b)
    assert add(pa, pa) == ref_mul(2 * a)
    assert add(pa, neg(pa)) is None
    assert add(None, pb) == pb and add(pa, None) == pa
    assert neg(pa) == ref_mul(-a)
    assert neg(None) is None


def test_mul_many_matches_single_multiplications() -> None:
    scalars = [0, 1, 2, R - 1, *(rng.randrange(R) for _ in range(20))]
    base1 = ref_g1(rng.randrange(1, R))
    assert g1_mul_many(base1, scalars) == [g1_mul(base1, k) for k in scalars]
    base2 = ref_g2(rng.randrange(1, R))
    assert g2_mul_many(base2, scalars[:8]) == [g2_mul(base2, k) for k in scalars[:8]]
    assert g1_mul_many(base1, []) == []


def test_on_curve_rejects_off_curve_and_non_canonical_points() -> None:
    g = ref_g1(5)
    assert g is not None and g1_is_on_curve(g) and g1_is_on_curve(None)
    assert not g1_is_on_curve((g[0], g[1] + 1))
    assert not g1_is_on_curve((g[0], g[1] + P))
    q = ref_g2(5)
    assert q is not None and g2_is_on_curve(q) and g2_in_subgroup(q) and g2_in_subgroup(None)
    bad = (q[0], (q[1][0], q[1][1] + 1))
    assert not g2_is_on_curve(bad) and not g2_in_subgroup(bad)
    assert not g2_is_on_curve((q[0], (q[1][0] + P, q[1][1])))


def twist_point_outside_g2() -> G2:
    """A point on the twist curve whose order is not R (the cofactor is not 1)."""
    x0 = 1
    while True:
        x = f2(x0, 1)
        y = f2_sqrt(f2_add(f2_mul(f2_sqr(x), x), B2))
        if y is not None:
            return (f2_int(x), f2_int(y))
        x0 += 1


def test_subgroup_check_rejects_twist_point_outside_g2() -> None:
    q = twist_point_outside_g2()
    assert g2_is_on_curve(q)
    assert g2_mul(q, R) is not None  # independent evidence that q is not in G2
    assert not g2_in_subgroup(q)
