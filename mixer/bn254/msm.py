"""Multi-scalar multiplication on G1 and G2: sum_i [k_i] P_i, and fixed-base [k_i] B batches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mixer.bn254.g1 import G1, JAC_INF, from_jac, g1_mul, jac_add, jac_double, to_jac
from mixer.bn254.g2 import G2, JAC2_INF, from_jac2, g2_mul, jac2_add, jac2_double, to_jac2
from mixer.field import R


def _window_bits(n: int) -> int:
    return max(1, min(16, (n.bit_length() * 2) // 3))


def _pippenger(
    points: Sequence[Any],
    scalars: Sequence[int],
    add: Callable[[Any, Any], Any],
    double: Callable[[Any], Any],
    inf: Any,
) -> Any:
    c = _window_bits(len(points))
    mask = (1 << c) - 1
    ks = [k % R for k in scalars]
    total = inf
    for shift in range(((R.bit_length() + c - 1) // c - 1) * c, -1, -c):
        for _ in range(c):
            total = double(total)
        buckets = [inf] * (mask + 1)
        for p, k in zip(points, ks, strict=True):
            d = (k >> shift) & mask
            if d:
                buckets[d] = add(buckets[d], p)
        running = inf
        acc = inf
        for d in range(mask, 0, -1):
            running = add(running, buckets[d])
            acc = add(acc, running)
        total = add(total, acc)
    return total


def _check_lengths(points: Sequence[Any], scalars: Sequence[int]) -> None:
    if len(points) != len(scalars):
        raise ValueError(f"msm needs as many scalars as points ({len(scalars)} != {len(points)})")


def msm_g1(points: Sequence[G1], scalars: Sequence[int], *, workers: int | None = None) -> G1:
    """sum_i [scalars[i]] points[i] on G1 (scalars taken mod R)."""
    _check_lengths(points, scalars)
    return from_jac(_pippenger([to_jac(p) for p in points], scalars, jac_add, jac_double, JAC_INF))


def msm_g2(points: Sequence[G2], scalars: Sequence[int], *, workers: int | None = None) -> G2:
    """sum_i [scalars[i]] points[i] on G2 (points must be in G2; scalars taken mod R)."""
    _check_lengths(points, scalars)
    return from_jac2(_pippenger([to_jac2(p) for p in points], scalars, jac2_add, jac2_double, JAC2_INF))


def g1_mul_many(base: G1, scalars: Sequence[int]) -> list[G1]:
    """[k] base for every k in scalars (fixed base, e.g. proving-key setup)."""
    return [g1_mul(base, k) for k in scalars]


def g2_mul_many(base: G2, scalars: Sequence[int]) -> list[G2]:
    """[k] base for every k in scalars (base must be in G2; scalars taken mod R)."""
    return [g2_mul(base, k % R) for k in scalars]
