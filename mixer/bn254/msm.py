"""Multi-scalar multiplication on G1 and G2: sum_i [k_i] P_i, and fixed-base [k_i] B batches.

Pippenger's bucket method with signed c-bit digits (2^(c-1) buckets per window). Buckets
are kept in AFFINE coordinates and every addition pays one field inversion: with gmpy2 an
inversion costs about two multiplications, so an affine addition (inversion + 3 products)
is cheaper than a mixed Jacobian one (11 products) and needs no batching. Scalars 0 are
skipped and points with scalar 1 are summed directly (many witness wires are bits).
Large inputs are split across worker processes (see `_pool`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, TypeVar

from mixer.bn254.fields import mpz
from mixer.bn254.g1 import G1, g1_affine_add, g1_affine_in, g1_affine_out
from mixer.bn254.g2 import G2, g2_affine_add, g2_affine_in, g2_affine_out
from mixer.field import R

Pt = TypeVar("Pt")
AffineAdd = Callable[[Any, Any], Any]
"""Adds two internal affine points (None = infinity); handles doubling and inverses."""
Neg = Callable[[Any], Any]

_PARALLEL_MIN = 512
"""Below this many non-trivial terms, process start-up and pickling cost more than they save."""


def _window_bits(n: int) -> int:
    # Cost ~ windows * (n + 2^c) additions; this minimises it for n up to ~2^16.
    if n < 32:
        return 3
    return max(4, min(14, n.bit_length() - 3))


def _bucket_msm(points: Sequence[Any], scalars: Sequence[int], add: AffineAdd, neg: Neg) -> Any:
    """sum [k_i] P_i for 0 < k_i < R by signed-digit Pippenger; internal affine points in/out."""
    n = len(points)
    if n == 0:
        return None
    c = _window_bits(n)
    full = 1 << c
    half = full >> 1
    mask = full - 1
    negs = [neg(p) for p in points]
    carries = [0] * n
    window_sums = []
    for shift in range(0, R.bit_length() + 1, c):
        buckets: list[Any] = [None] * (half + 1)
        for i in range(n):
            d = ((scalars[i] >> shift) & mask) + carries[i]
            if d > half:
                carries[i] = 1
                d = full - d
                buckets[d] = add(buckets[d], negs[i])
            else:
                carries[i] = 0
                if d:
                    buckets[d] = add(buckets[d], points[i])
        running = None
        total = None
        for d in range(half, 0, -1):
            running = add(running, buckets[d])
            total = add(total, running)
        window_sums.append(total)
    acc = None
    for total in reversed(window_sums):
        for _ in range(c):
            acc = add(acc, acc)
        acc = add(acc, total)
    return acc


def _msm_chunk(kind: str, points: Sequence[Any], scalars: Sequence[int]) -> Any:
    """One worker's share (module-level so a process pool can call it by name)."""
    add, neg = _OPS[kind]
    ones = None
    big_points = []
    big_scalars = []
    for p, k in zip(points, scalars, strict=True):
        if p is None or k == 0:
            continue
        if k == 1:
            ones = add(ones, p)
        else:
            big_points.append(p)
            big_scalars.append(k)
    return add(ones, _bucket_msm(big_points, big_scalars, add, neg))


def _g1_neg(p: Any) -> Any:
    return None if p is None else (p[0], -p[1] % _P)


def _g2_neg(p: Any) -> Any:
    return None if p is None else (p[0], (-p[1][0] % _P, -p[1][1] % _P))


_P = mpz(0x30644E72E131A029B85045B68181585D97816A916871CA8D3C208C16D87CFD47)
_OPS: dict[str, tuple[AffineAdd, Neg]] = {"g1": (g1_affine_add, _g1_neg), "g2": (g2_affine_add, _g2_neg)}

_executor: Executor | None = None
_executor_workers = 0


def _pool(workers: int) -> Executor:
    """A lazily created, reused fork-based pool: starting one per call would cost more than
    a mid-size MSM."""
    global _executor, _executor_workers
    if _executor is None or _executor_workers != workers:
        if _executor is not None:
            _executor.shutdown()
        _executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        _executor_workers = workers
    return _executor


def _msm(kind: str, points: Sequence[Any], scalars: Sequence[int], workers: int | None) -> Any:
    if len(points) != len(scalars):
        raise ValueError(f"msm needs as many scalars as points ({len(scalars)} != {len(points)})")
    ks = [k % R for k in scalars]
    workers = os.cpu_count() or 1 if workers is None else workers
    if workers <= 1 or len(points) < _PARALLEL_MIN:
        return _msm_chunk(kind, points, ks)
    step = -(-len(points) // workers)
    parts = [
        _pool(workers).submit(_msm_chunk, kind, points[i : i + step], ks[i : i + step])
        for i in range(0, len(points), step)
    ]
    add = _OPS[kind][0]
    acc = None
    for part in parts:
        acc = add(acc, part.result())
    return acc


def _fixed_base_table(base: Any, c: int, windows: int, add: AffineAdd) -> list[list[Any]]:
    """table[w][j] = [j * 2^(c w)] base for 0 <= j < 2^c."""
    table = []
    row_base = base
    for _ in range(windows):
        row = [None, row_base]
        for _ in range(2, 1 << c):
            row.append(add(row[-1], row_base))
        table.append(row)
        row_base = add(row[-1], row_base)
    return table


def _mul_many(kind: str, base: Any, scalars: Sequence[int]) -> list[Any]:
    add = _OPS[kind][0]
    n = len(scalars)
    # n * windows lookups-and-adds plus windows * 2^c table entries, minimised over c.
    c = min(range(2, 13), key=lambda c: -(-R.bit_length() // c) * (n + (1 << c)))
    windows = -(-R.bit_length() // c)
    table = _fixed_base_table(base, c, windows, add)
    mask = (1 << c) - 1
    out = []
    for k in scalars:
        k %= R
        acc = None
        for row in table:
            if k == 0:
                break
            acc = add(acc, row[k & mask])
            k >>= c
        out.append(acc)
    return out


def g1_mul_many(base: G1, scalars: Sequence[int]) -> list[G1]:
    """[k] base for every k in scalars (fixed base, e.g. proving-key setup), via a window table."""
    return [g1_affine_out(p) for p in _mul_many("g1", g1_affine_in(base), scalars)]


def g2_mul_many(base: G2, scalars: Sequence[int]) -> list[G2]:
    """[k] base for every k in scalars (base must be in G2; scalars taken mod R)."""
    return [g2_affine_out(p) for p in _mul_many("g2", g2_affine_in(base), scalars)]


def msm_g1(points: Sequence[G1], scalars: Sequence[int], *, workers: int | None = None) -> G1:
    """sum_i [scalars[i]] points[i] on G1 (scalars taken mod R).

    `workers`: processes to split the work across (None = os.cpu_count(), 1 = in-process).
    """
    return g1_affine_out(_msm("g1", [g1_affine_in(p) for p in points], scalars, workers))


def msm_g2(points: Sequence[G2], scalars: Sequence[int], *, workers: int | None = None) -> G2:
    """sum_i [scalars[i]] points[i] on G2 (points must be in G2; scalars taken mod R)."""
    return g2_affine_out(_msm("g2", [g2_affine_in(p) for p in points], scalars, workers))
