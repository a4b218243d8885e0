"""Multi-scalar multiplication against the naive sum of single multiplications."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixer.bn254 import (
    G1,
    G1_GEN,
    G2,
    G2_GEN,
    g1_add,
    g1_mul,
    g1_neg,
    g2_add,
    g2_mul,
    g2_neg,
    msm_g1,
    msm_g2,
)
from mixer.bn254.g1 import g1_affine_in, g1_affine_out
from mixer.bn254.g2 import g2_affine_in, g2_affine_out
from mixer.bn254.glv import LAMBDA, decompose, endomorphism_g1, endomorphism_g2
from mixer.bn254.msm import OPS, sum_buckets, sum_lists
from mixer.field import R

rng = random.Random(13)


def naive_g1(points: list[G1], scalars: list[int]) -> G1:
    acc: G1 = None
    for p, k in zip(points, scalars, strict=True):
        acc = g1_add(acc, g1_mul(p, k))
    return acc


def naive_g2(points: list[G2], scalars: list[int]) -> G2:
    acc: G2 = None
    for p, k in zip(points, scalars, strict=True):
        acc = g2_add(acc, g2_mul(p, k % R))
    return acc


def case(n: int) -> tuple[list[int], list[int]]:
    """Point multipliers and scalars mixing edge values: 0, 1, R-1, duplicates, infinity (0 * G)."""
    specials = [0, 1, R - 1, 2, 1, 0]
    scalars = [specials[i] if i < len(specials) and n > 10 else rng.randrange(R) for i in range(n)]
    if n > 10:
        scalars += [rng.getrandbits(1) for _ in range(n // 2)]  # witness-like bits
    logs = [rng.randrange(1, R) for _ in range(len(scalars))]
    if len(logs) > 10:
        logs[3] = logs[4]  # duplicate point
        logs[5] = 0  # infinity
        logs[6] = R - logs[7]  # a point and its negation
    return logs, scalars


@pytest.mark.parametrize("n", [0, 1, 2, 100])
def test_msm_g1_equals_naive_sum(n: int) -> None:
    logs, scalars = case(n)
    points = [g1_mul(G1_GEN, e) for e in logs]
    assert msm_g1(points, scalars) == naive_g1(points, scalars)


@pytest.mark.parametrize("n", [0, 1, 2, 40])
def test_msm_g2_equals_naive_sum(n: int) -> None:
    logs, scalars = case(n)
    points = [g2_mul(G2_GEN, e) for e in logs]
    assert msm_g2(points, scalars) == naive_g2(points, scalars)


def test_msm_rejects_length_mismatch() -> None:
    with pytest.raises(ValueError, match="as many scalars"):
        msm_g1([G1_GEN], [1, 2])


def test_glv_split_is_exact_and_short() -> None:
    for k in [0, 1, R - 1, (R - 1) // 2, *(rng.randrange(R) for _ in range(200))]:
        k1, k2 = decompose(k)
        assert (k1 + k2 * LAMBDA - k) % R == 0
        assert abs(k1) < 2**128 and abs(k2) < 2**128


def test_glv_endomorphism_is_multiplication_by_lambda() -> None:
    e = rng.randrange(1, R)
    p, q = g1_mul(G1_GEN, e), g2_mul(G2_GEN, e)
    assert g1_affine_out(endomorphism_g1(g1_affine_in(p))) == g1_mul(p, LAMBDA)
    assert g2_affine_out(endomorphism_g2(g2_affine_in(q))) == g2_mul(q, LAMBDA)


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_msm_of_one_repeated_point_hits_doubling_and_cancellation(group: str) -> None:
    # Every bucket receives copies of P and -P, so batched additions meet p == q and p == -q.
    e = rng.randrange(1, R)
    n = 300
    signs = [rng.choice([1, -1]) for _ in range(n)]
    scalars = [rng.randrange(R) for _ in range(n)]
    total = sum(s * k for s, k in zip(signs, scalars, strict=True))
    if group == "g1":
        p = g1_mul(G1_GEN, e)
        points1 = [p if s == 1 else g1_neg(p) for s in signs]
        assert msm_g1(points1, scalars) == g1_mul(p, total)
        assert msm_g1([p, p, g1_neg(p)], [5, 5, 10]) is None
    else:
        q = g2_mul(G2_GEN, e)
        points2 = [q if s == 1 else g2_neg(q) for s in signs]
        assert msm_g2(points2, scalars) == g2_mul(q, total % R)
        assert msm_g2([q, q, g2_neg(q)], [5, 5, 10]) is None


GROUPS = {
    "g1": (G1_GEN, g1_mul, msm_g1, naive_g1),
    "g2": (G2_GEN, lambda p, k: g2_mul(p, k % R), msm_g2, naive_g2),
}


@pytest.mark.parametrize("group", ["g1", "g2"])
@settings(max_examples=12, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, R - 1) | st.integers(0, 3)), max_size=12))
def test_msm_small_inputs_equal_naive_sum(group: str, terms: list[tuple[int, int]]) -> None:
    # Few distinct points (1..3 = [i]G, 4..5 = -[i-3]G, 0 = infinity) so equal and opposite points
    # recur: the batched additions' doubling and p == -q branches, in each group.
    gen, mul, msm, naive = GROUPS[group]
    points = [None if i == 0 else mul(gen, i if i < 4 else R - (i - 3)) for i, _ in terms]
    scalars = [k for _, k in terms]
    assert msm(points, scalars) == naive(points, scalars)


def test_bucket_sums_equal_tree_sums_through_cancellation_and_empty_buckets() -> None:
    # sum_buckets takes many short lists round by round; a bucket whose running sum cancels
    # to infinity (p + -p) must pick up its next point, and an empty bucket stays infinity.
    batch_add = OPS["g1"][0]
    p, q = g1_mul(G1_GEN, 5), g1_mul(G1_GEN, 7)
    plus, minus, other = g1_affine_in(p), g1_affine_in(g1_neg(p)), g1_affine_in(q)
    buckets = [[plus, minus, other], [plus, plus], [], [other], [minus, plus, plus, plus, plus]]
    by_rounds = [g1_affine_out(s) for s in sum_buckets(batch_add, [list(b) for b in buckets])]
    by_trees = [g1_affine_out(s) for s in sum_lists(batch_add, [list(b) for b in buckets])]
    assert by_rounds == by_trees == [q, g1_mul(G1_GEN, 10), None, q, g1_mul(G1_GEN, 15)]
