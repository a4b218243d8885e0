"""Multi-scalar multiplication over FIXED points (a proving key's), with a precomputed table.

Pippenger's method pays, per c-bit window, one pass of bucket sums and one bucket
reduction. When the points never change, their shifted copies [2^(c j)] P can be
computed once; a scalar's window-j digit then selects a bucket for [2^(c j)] P, so all
windows of all points share ONE set of 2^(c-1) buckets and one reduction, and the final
doubling chain disappears. Cost per sum: about n * windows + 2^(c-1) additions (against
windows * (n + 2^(c-1)) without the table), for a table of n * windows points built with
~254 doublings per point. Signed digits as in `msm`, so the negated copies are stored too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import isqrt
from typing import Any

from mixer.bn254.g1 import G1, g1_affine_in, g1_affine_out, g1_batch_double
from mixer.bn254.g2 import G2, g2_affine_in, g2_affine_out, g2_batch_double
from mixer.bn254.msm import (
    OPS,
    BatchAdd,
    add_pairs,
    in_chunks,
    no_cyclic_gc,
    signed_offset,
    sum_buckets,
    sum_lists,
)
from mixer.field import R

_DOUBLE: dict[str, Callable[[list[Any]], list[Any]]] = {
    "g1": in_chunks(g1_batch_double),
    "g2": in_chunks(g2_batch_double),
}


def _window_count(c: int) -> int:
    """Windows of c bits such that k + offset fits them for every k < R (signed digits)."""
    windows = 1
    while (R - 1) + signed_offset(c, windows) >= 1 << (c * windows):
        windows += 1
    return windows


def _best_window(n: int) -> int:
    # n * windows entries go into 2^(c-1) buckets (~one addition each), and the reduction
    # costs two additions per bucket: minimise n * windows + 2^(c-1) (the bucket count is
    # weighted a little more for its bookkeeping).
    return min(range(2, 21), key=lambda c: n * _window_count(c) + (1 << (c - 1)) * 1.25)


class FixedBases:
    """Shifted copies of fixed points for `msm_fixed_g1` / `msm_fixed_g2`.

    Built by `fixed_bases_g1` / `fixed_bases_g2` (expensive: ~254 doublings per point).
    """

    def __init__(
        self, kind: str, c: int, size: int, index: list[int], rows: list[list[Any]], negs: list[list[Any]]
    ):
        self.kind = kind
        self.c = c
        self.size = size
        """len(points), infinity included."""
        self.index = index
        """Positions of the finite points (the table's columns), ascending."""
        self.rows = rows
        """rows[j][t] = [2^(c j)] points[index[t]] (internal affine)."""
        self.negs = negs
        """negs[j][t] = -rows[j][t]."""

    def __len__(self) -> int:
        return self.size


def _fixed_bases(kind: str, points: list[Any], c: int | None) -> FixedBases:
    with no_cyclic_gc():
        index = [i for i, p in enumerate(points) if p is not None]
        if c is None:
            c = _best_window(len(index))
        double = _DOUBLE[kind]
        neg = OPS[kind][2]
        rows = [[points[i] for i in index]]
        for _ in range(_window_count(c) - 1):
            row = rows[-1]
            for _ in range(c):
                row = double(row) if row else row
            rows.append(row)
        return FixedBases(kind, c, len(points), index, rows, [[neg(p) for p in row] for row in rows])


def fixed_bases_g1(points: Sequence[G1], *, c: int | None = None) -> FixedBases:
    """The table for MSMs over these G1 points (None allowed); c = window bits (default: by cost)."""
    return _fixed_bases("g1", [g1_affine_in(p) for p in points], c)


def fixed_bases_g2(points: Sequence[G2], *, c: int | None = None) -> FixedBases:
    """The table for MSMs over these G2 points (must be in G2; None allowed)."""
    return _fixed_bases("g2", [g2_affine_in(p) for p in points], c)


def _times(add: Callable[[Any, Any], Any], p: Any, k: int) -> Any:
    """[k] p by double-and-add (k >= 0)."""
    acc = None
    for bit in bin(k)[2:]:
        acc = add(acc, acc)
        if bit == "1":
            acc = add(acc, p)
    return acc


_SEGMENTS = 256
"""At most this many running sums advance side by side in the reduction (one batch per step);
sqrt(n) of them for n buckets, so the recursive step on the segment sums is small."""


def weighted_sum(batch_add: BatchAdd, add: Callable[[Any, Any], Any], points: list[Any]) -> Any:
    """sum_i (i + 1) * points[i] (None = infinity), with batched additions.

    The running-sum reduction is sequential, so the weights are cut into segments of L:
    each segment's running sums advance together, giving T_s = sum (d + 1) P_{s L + d} and
    S_s = sum P_{s L + d}; then the total is sum T_s + L * sum_s s S_s (the same problem,
    smaller)."""
    n = len(points)
    if n <= 16:
        run: Any = None
        total: Any = None
        for p in reversed(points):
            run = add(run, p)
            total = add(total, run)
        return total
    length = -(-n // min(_SEGMENTS, isqrt(n)))
    segments = [points[lo : lo + length] for lo in range(0, n, length)]
    segments[-1] += [None] * (length - len(segments[-1]))
    running: list[Any] = [None] * len(segments)
    totals: list[Any] = [None] * len(segments)
    for d in range(length - 1, -1, -1):
        running = add_pairs(batch_add, running, [seg[d] for seg in segments])
        totals = add_pairs(batch_add, totals, running)
    high = _times(add, weighted_sum(batch_add, add, running[1:]), length)
    return add(sum_lists(batch_add, [[t for t in totals if t is not None]])[0], high)


def _msm_fixed(table: FixedBases, scalars: Sequence[int]) -> Any:
    if len(scalars) != table.size:
        raise ValueError(f"msm needs as many scalars as points ({len(scalars)} != {table.size})")
    with no_cyclic_gc():
        batch_add, add, _ = OPS[table.kind]
        c = table.c
        half = 1 << (c - 1)
        mask = (1 << c) - 1
        offset = signed_offset(c, len(table.rows))
        shifted = [scalars[i] % R + offset for i in table.index]
        # Each entry goes to bucket |d| (d = u - half, the window-j digit), negated if d < 0.
        lists: list[list[Any]] = [[] for _ in range(half + 1)]
        for j, (row, negs) in enumerate(zip(table.rows, table.negs, strict=True)):
            shift = j * c
            for k, p, q in zip(shifted, row, negs, strict=True):
                u = (k >> shift) & mask
                if u > half:
                    lists[u - half].append(p)
                elif u < half:
                    lists[half - u].append(q)
        buckets = sum_buckets(batch_add, lists[1:])
        return weighted_sum(batch_add, add, buckets)


def msm_fixed_g1(table: FixedBases, scalars: Sequence[int]) -> G1:
    """sum_i [scalars[i]] points[i] for the points of a G1 table (scalars taken mod R), in-process."""
    return g1_affine_out(_msm_fixed(table, scalars))


def msm_fixed_g2(table: FixedBases, scalars: Sequence[int]) -> G2:
    """sum_i [scalars[i]] points[i] for the points of a G2 table (scalars taken mod R), in-process."""
    return g2_affine_out(_msm_fixed(table, scalars))
