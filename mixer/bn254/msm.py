"""Multi-scalar multiplication on G1 and G2: sum_i [k_i] P_i, and fixed-base [k_i] B batches.

Everything is AFFINE addition with batched inversions (Montgomery's trick): a gmpy2
inversion of a random element costs ~9 multiplications, so one inversion is shared by
every independent addition of a round, leaving ~6 products per addition (a mixed Jacobian
addition needs 11). The algorithm is Pippenger's bucket method with signed c-bit digits
(2^(c-1) buckets per window): the buckets of all windows fill up together, one batched
round per bucket position (`sum_buckets`); the per-window running sums advance all windows
in one batch per step. Scalars 0 are skipped and points with scalar 1 are summed directly
(many witness wires are bits). Everything runs in the calling process.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from mixer.bn254.fields import MP
from mixer.bn254.g1 import G1, g1_affine_add, g1_affine_in, g1_affine_out, g1_batch_add
from mixer.bn254.g2 import G2, g2_affine_add, g2_affine_in, g2_affine_out, g2_batch_add
from mixer.bn254.glv import decompose, endomorphism_g1, endomorphism_g2
from mixer.field import R

BatchAdd = Callable[[list[Any], list[Any]], list[Any]]
"""[p + q for p, q in zip(ps, qs)] for finite internal affine points, one inversion in all."""
AffineAdd = Callable[[Any, Any], Any]
Neg = Callable[[Any], Any]


def _g1_neg(p: Any) -> Any:
    return (p[0], -p[1] % MP)


def _g2_neg(p: Any) -> Any:
    return (p[0], p[1], -p[2] % MP, -p[3] % MP)


_CHUNK = 256
"""Additions per shared inversion. Small batches keep the working lists in the CPU cache:
measured 1.35 us per G1 addition in batches of 256 against 2.5 us in batches of 100k."""


BatchOp = TypeVar("BatchOp", bound=Callable[..., list[Any]])


def in_chunks(batch_op: BatchOp) -> BatchOp:
    """The same element-wise batched operation, one shared inversion per _CHUNK elements."""

    def chunked(*lists: list[Any]) -> list[Any]:
        if len(lists[0]) <= _CHUNK:
            return batch_op(*lists)
        out: list[Any] = []
        for i in range(0, len(lists[0]), _CHUNK):
            out += batch_op(*(xs[i : i + _CHUNK] for xs in lists))
        return out

    return cast(BatchOp, chunked)


OPS: dict[str, tuple[BatchAdd, AffineAdd, Neg]] = {
    "g1": (in_chunks(g1_batch_add), g1_affine_add, _g1_neg),
    "g2": (in_chunks(g2_batch_add), g2_affine_add, _g2_neg),
}
_ENDO: dict[str, Neg] = {"g1": endomorphism_g1, "g2": endomorphism_g2}


def add_pairs(batch_add: BatchAdd, ps: list[Any], qs: list[Any]) -> list[Any]:
    """Element-wise p + q where either side may be None (infinity), one batch for the rest."""
    out = [q if p is None else p for p, q in zip(ps, qs, strict=True)]
    both = [i for i, (p, q) in enumerate(zip(ps, qs, strict=True)) if p is not None and q is not None]
    if both:
        for i, s in zip(both, batch_add([ps[i] for i in both], [qs[i] for i in both]), strict=True):
            out[i] = s
    return out


def sum_lists(batch_add: BatchAdd, lists: list[list[Any]]) -> list[Any]:
    """The sum of each list of finite points (None if empty), summing all lists together as
    balanced trees: one batched round per tree level (for few or long lists; many short
    ones: `sum_buckets`)."""
    active = [i for i, xs in enumerate(lists) if len(xs) > 1]
    while active:
        ps: list[Any] = []
        qs: list[Any] = []
        for i in active:
            xs = lists[i]
            m = len(xs) & ~1
            ps += xs[0:m:2]
            qs += xs[1:m:2]
        sums = batch_add(ps, qs)
        pos = 0
        still = []
        for i in active:
            xs = lists[i]
            m = len(xs) >> 1
            merged = sums[pos : pos + m]
            if None in merged:  # p + (-p) inside a bucket
                merged = [s for s in merged if s is not None]
            if len(xs) & 1:
                merged.append(xs[-1])
            pos += m
            lists[i] = merged
            if len(merged) > 1:
                still.append(i)
        active = still
    return [xs[0] if xs else None for xs in lists]


def sum_buckets(batch_add: BatchAdd, lists: list[list[Any]]) -> list[Any]:
    """The sum of each list of finite points (None if empty), like `sum_lists`, for MANY
    SHORT lists (Pippenger's buckets): round r adds element r of every list longer than r
    to that list's running sum, all in one batch. With the lists taken longest first, each
    round's lists are a prefix, so a round is two slices and one pass over its new points,
    where a tree level costs Python work per list; and each addition reads one key point
    from memory beside a running sum still in cache, where a tree's first level reads two
    (measured: the depth-20 key's H sum 0.44 -> 0.40 s, a one-process proof 2.24 -> 2.00 s)."""
    order = sorted(range(len(lists)), key=lambda i: -len(lists[i]))
    ordered = [lists[i] for i in order]
    sums = [xs[0] if xs else None for xs in ordered]
    active = len(ordered)
    for r in range(1, len(ordered[0]) if ordered else 0):
        while len(ordered[active - 1]) <= r:
            active -= 1
        running = sums[:active]
        points = [xs[r] for xs in ordered[:active]]
        if None in running:  # infinity, after p + (-p) in its bucket: rare
            sums[:active] = add_pairs(batch_add, running, points)
        else:
            sums[:active] = batch_add(running, points)
    out: list[Any] = [None] * len(lists)
    for i, total in zip(order, sums, strict=True):
        out[i] = total
    return out


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: an MSM allocates millions of tuples, which keep
    triggering collections that scan every live point (-15% time), yet it builds no cycles,
    so reference counting alone frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _window_bits(n: int, kind: str) -> int:
    # Additions ~ windows * (n + 2^c), flat for c around log2(n) - 3; the smaller c of that
    # range means fewer, fuller buckets, so less per-bucket bookkeeping (measured at n = 2^13).
    # A G2 addition costs ~2.5 G1 ones for the same bookkeeping, so G2 takes one bit more
    # (the prover's B2, 7070 GLV terms: c = 9 0.34-0.36 s, c = 10 0.32-0.34 s).
    return max(2, min(16, n.bit_length() - (3 if kind == "g2" else 4)))


def _window_count(c: int, bits: int) -> int:
    return -(-(bits + 2) // c)


def signed_offset(c: int, windows: int) -> int:
    # Adding `half` at every digit position up front, then subtracting it from each
    # extracted digit, gives signed digits in [-half, half) with no carry chain.
    half = 1 << (c - 1)
    return sum(half << (w * c) for w in range(windows))


def _split_glv(kind: str, points: list[Any], scalars: list[int]) -> tuple[list[Any], list[int]]:
    """[k] P = [k1] P + [k2] phi(P) with ~127-bit k1, k2; negative halves negate their point."""
    neg, endo = OPS[kind][2], _ENDO[kind]
    out_points = []
    out_scalars = []
    for p, k in zip(points, scalars, strict=True):
        k1, k2 = decompose(k)
        if k1:
            out_points.append(p if k1 > 0 else neg(p))
            out_scalars.append(abs(k1))
        if k2:
            q = endo(p)
            out_points.append(q if k2 > 0 else neg(q))
            out_scalars.append(abs(k2))
    return out_points, out_scalars


def _window_sums(kind: str, points: list[Any], shifted: list[int], c: int, windows: int) -> list[Any]:
    """For each window w < `windows`: sum_i digit_w(k_i) P_i."""
    with no_cyclic_gc():
        return _window_sums_gc_paused(kind, points, shifted, c, windows)


def _window_sums_gc_paused(
    kind: str, points: list[Any], shifted: list[int], c: int, windows: int
) -> list[Any]:
    batch_add, _, neg = OPS[kind]
    half = 1 << (c - 1)
    mask = (1 << c) - 1
    negs = [neg(p) for p in points]
    buckets: list[list[Any]] = []
    for w in range(windows):
        shift = w * c
        lists: list[list[Any]] = [[] for _ in range(half + 1)]
        for k, p, q in zip(shifted, points, negs, strict=True):
            d = ((k >> shift) & mask) - half
            if d > 0:
                lists[d].append(p)
            elif d < 0:
                lists[-d].append(q)
        buckets.append(lists)
    flat = sum_buckets(batch_add, [xs for lists in buckets for xs in lists])
    # sum_d d * B_d per window as running sums: all windows advance together.
    running: list[Any] = [None] * windows
    totals: list[Any] = [None] * windows
    for d in range(half, 0, -1):
        running = add_pairs(batch_add, running, [flat[w * (half + 1) + d] for w in range(windows)])
        totals = add_pairs(batch_add, totals, running)
    return totals


def _msm(kind: str, points: Sequence[Any], scalars: Sequence[int]) -> Any:
    if len(points) != len(scalars):
        raise ValueError(f"msm needs as many scalars as points ({len(scalars)} != {len(points)})")
    batch_add, add, _ = OPS[kind]
    ones: list[Any] = []
    big_points: list[Any] = []
    big_scalars: list[int] = []
    for p, k in zip(points, scalars, strict=True):
        k %= R
        if p is None or k == 0:
            continue
        if k == 1:
            ones.append(p)
        else:
            big_points.append(p)
            big_scalars.append(k)
    acc = sum_lists(batch_add, [ones])[0]
    if not big_points:
        return acc
    big_points, big_scalars = _split_glv(kind, big_points, big_scalars)
    c = _window_bits(len(big_points), kind)
    windows = _window_count(c, max(big_scalars).bit_length())
    offset = signed_offset(c, windows)
    shifted = [k + offset for k in big_scalars]
    totals = _window_sums(kind, big_points, shifted, c, windows)
    high = None
    for total in reversed(totals):
        for _ in range(c):
            high = add(high, high)
        high = add(high, total)
    return add(acc, high)


def msm_g1(points: Sequence[G1], scalars: Sequence[int]) -> G1:
    """sum_i [scalars[i]] points[i] on G1 (scalars taken mod R), in this process."""
    return g1_affine_out(_msm("g1", [g1_affine_in(p) for p in points], scalars))


def msm_g2(points: Sequence[G2], scalars: Sequence[int]) -> G2:
    """sum_i [scalars[i]] points[i] on G2 (points must be in G2; scalars taken mod R), in this process."""
    return g2_affine_out(_msm("g2", [g2_affine_in(p) for p in points], scalars))


def _mul_many(kind: str, base: Any, scalars: Sequence[int]) -> list[Any]:
    """[k] base for each k: table[w][j] = [j 2^(c w)] base, then each result is the tree sum
    of one table entry per window, all results summed together in batched rounds."""
    with no_cyclic_gc():
        return _mul_many_gc_paused(kind, base, scalars)


def _mul_many_gc_paused(kind: str, base: Any, scalars: Sequence[int]) -> list[Any]:
    batch_add, add, _ = OPS[kind]
    ks = [k % R for k in scalars]
    if base is None or not ks:
        return [None] * len(ks)
    n = len(ks)
    # n * windows table look-ups plus windows * 2^c table entries, minimised over c.
    c = min(range(2, 13), key=lambda c: -(-R.bit_length() // c) * (n + (1 << c)))
    windows = -(-R.bit_length() // c)
    row_bases = [base]
    for _ in range(windows - 1):
        b = row_bases[-1]
        for _ in range(c):
            b = add(b, b)
        row_bases.append(b)
    rows = [[None, b] for b in row_bases]
    for _ in range(2, 1 << c):
        nxt = batch_add([row[-1] for row in rows], row_bases)
        for row, p in zip(rows, nxt, strict=True):
            row.append(p)
    mask = (1 << c) - 1
    lists = []
    for k in ks:
        terms = []
        for row in rows:
            if k == 0:
                break
            if k & mask:
                terms.append(row[k & mask])
            k >>= c
        lists.append(terms)
    return sum_lists(batch_add, lists)


def g1_mul_many(base: G1, scalars: Sequence[int]) -> list[G1]:
    """[k] base for every k in scalars (fixed base, e.g. proving-key setup), via a window table."""
    return [g1_affine_out(p) for p in _mul_many("g1", g1_affine_in(base), scalars)]


def g2_mul_many(base: G2, scalars: Sequence[int]) -> list[G2]:
    """[k] base for every k in scalars (base must be in G2; scalars taken mod R)."""
    return [g2_affine_out(p) for p in _mul_many("g2", g2_affine_in(base), scalars)]
