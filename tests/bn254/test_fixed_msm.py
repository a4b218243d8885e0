"""MSM over a precomputed table of fixed points against the naive sum and the plain MSM."""

from __future__ import annotations

import random

import pytest

from mixer.bn254 import G1, G1_GEN, G2_GEN, g1_add, g1_mul, g1_neg, g2_add, g2_mul, g2_neg, msm_g1
from mixer.bn254.fixed import fixed_bases_g1, fixed_bases_g2, msm_fixed_g1, msm_fixed_g2, weighted_sum
from mixer.bn254.g1 import g1_affine_in, g1_affine_out, g1_batch_double
from mixer.bn254.g2 import g2_affine_in, g2_affine_out, g2_batch_double
from mixer.bn254.msm import OPS
from mixer.field import R
from tests.bn254.test_msm import naive_g1

rng = random.Random(29)


def edge_case(n: int) -> tuple[list[G1], list[int]]:
    """Random points and scalars plus infinity, a duplicate, a point with its negation, and
    the scalars 0, 1, 2, R - 1."""
    points: list[G1] = [g1_mul(G1_GEN, rng.randrange(1, R)) for _ in range(n)]
    points[1] = None
    points[2] = points[3]
    points[4] = g1_neg(points[5])
    scalars = [rng.randrange(R) for _ in range(n)]
    scalars[:4] = [0, 1, 2, R - 1]
    return points, scalars


@pytest.mark.parametrize("c", [2, 7, None])
def test_msm_fixed_g1_equals_naive_sum(c: int | None) -> None:
    # c = 2 gives 128 windows (many entries per bucket); None is the cost-model choice.
    points, scalars = edge_case(40)
    table = fixed_bases_g1(points, c=c)
    assert msm_fixed_g1(table, scalars) == naive_g1(points, scalars)


def test_msm_fixed_equals_plain_msm_on_witness_like_scalars() -> None:
    points, _ = edge_case(300)
    scalars = [rng.choice([0, 1, rng.randrange(R)]) for _ in points]
    assert msm_fixed_g1(fixed_bases_g1(points), scalars) == msm_g1(points, scalars)


def test_msm_fixed_with_one_repeated_point_hits_doubling_and_cancellation() -> None:
    p = g1_mul(G1_GEN, rng.randrange(1, R))
    signs = [rng.choice([1, -1]) for _ in range(60)]
    scalars = [rng.randrange(R) for _ in signs]
    table = fixed_bases_g1([p if s == 1 else g1_neg(p) for s in signs], c=3)
    assert msm_fixed_g1(table, scalars) == g1_mul(p, sum(s * k for s, k in zip(signs, scalars, strict=True)))
    assert msm_fixed_g1(fixed_bases_g1([p, p, g1_neg(p)]), [5, 5, 10]) is None


def test_msm_fixed_g2_equals_naive_sum() -> None:
    points = [g2_mul(G2_GEN, rng.randrange(1, R)) for _ in range(12)]
    points[1] = None
    points[2] = g2_neg(points[3])
    scalars = [rng.randrange(R) for _ in points]
    scalars[0] = 0
    expected = None
    for q, k in zip(points, scalars, strict=True):
        expected = g2_add(expected, g2_mul(q, k))
    assert msm_fixed_g2(fixed_bases_g2(points, c=6), scalars) == expected


def test_msm_fixed_rejects_length_mismatch() -> None:
    with pytest.raises(ValueError, match="as many scalars"):
        msm_fixed_g1(fixed_bases_g1([G1_GEN]), [1, 2])


def test_weighted_sum_over_segments_equals_naive() -> None:
    # 300 weights: segmented running sums, then the recursive step on the segment sums.
    logs = [rng.choice([0, rng.randrange(1, R)]) for _ in range(300)]
    points = [g1_affine_in(g1_mul(G1_GEN, e)) for e in logs]
    batch_add, add, _ = OPS["g1"]
    expected = g1_mul(G1_GEN, sum((i + 1) * e for i, e in enumerate(logs)))
    assert g1_affine_out(weighted_sum(batch_add, add, points)) == expected


def test_batch_doublings_equal_single_doublings() -> None:
    ps = [g1_mul(G1_GEN, rng.randrange(1, R)) for _ in range(5)]
    assert [g1_affine_out(p) for p in g1_batch_double([g1_affine_in(p) for p in ps])] == [
        g1_add(p, p) for p in ps
    ]
    qs = [g2_mul(G2_GEN, rng.randrange(1, R)) for _ in range(5)]
    assert [g2_affine_out(q) for q in g2_batch_double([g2_affine_in(q) for q in qs])] == [
        g2_add(q, q) for q in qs
    ]
