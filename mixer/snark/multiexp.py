"""The prover's multi-scalar multiplications, spread over worker processes.

From a single-threaded process the workers are forked after the jobs are laid out, so the
proving key's points reach them through copy-on-write memory instead of being pickled for
every proof; only the resulting points cross the process boundary. When other threads run
(a progress bar's refresh thread), forking could deadlock a worker (`mixer.bn254.processes`),
so the workers come from the forkserver and receive their jobs pickled. The parent keeps a
share: the H evaluations, the H sum and whatever known sums balance the estimated load.
(A key's precomputed tables are kept by long-lived helpers instead: `tables`.)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mixer.bn254 import msm_g1, msm_g2, processes
from mixer.bn254.fixed import FixedBases, msm_fixed_g1, msm_fixed_g2


@dataclass(frozen=True)
class MSM:
    """sum_i scalars[i] * points[i] on G1 or (g2=True) G2; `points` may be a precomputed
    table of them (then the scalars go with all its points, zeros and infinity included)."""

    points: Sequence[Any] | FixedBases
    scalars: Sequence[int]
    g2: bool = False

    @classmethod
    def sparse(cls, points: Sequence[Any], scalars: Sequence[int], g2: bool = False) -> MSM:
        """The same sum without the terms that contribute nothing: infinity points (a third
        of B's, for wires that occur in no B row) and zero scalars."""
        pairs = [(p, k) for p, k in zip(points, scalars, strict=True) if p is not None and k]
        return cls([p for p, _ in pairs], [k for _, k in pairs], g2)


def run(msm: MSM) -> Any:
    """One multi-scalar multiplication in this process."""
    if isinstance(msm.points, FixedBases):
        return (msm_fixed_g2 if msm.g2 else msm_fixed_g1)(msm.points, msm.scalars)
    if msm.g2:
        return msm_g2(msm.points, msm.scalars, workers=1)
    return msm_g1(msm.points, msm.scalars, workers=1)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


G2_WEIGHT = 2.2
"""Measured cost of a G2 term in G1 terms (table and plain MSMs alike)."""
H_POLY_WEIGHT = 0.45
"""Measured cost of the H polynomial per domain point, in G1 MSM terms."""


def cost(msm: MSM) -> float:
    """Estimated work of a sum, in G1 terms (infinity points cost nothing)."""
    if isinstance(msm.points, FixedBases):
        terms = len(msm.points.index)
    else:
        terms = sum(p is not None for p in msm.points)
    return terms * (G2_WEIGHT if msm.g2 else 1.0)


def assign(costs: Mapping[str, float], late_cost: float, processes: int) -> list[list[str]]:
    """Names of the sums for each process, balancing estimated loads (largest first, each to
    the least loaded); process 0 also computes the H polynomial and the late sum."""
    loads = [late_cost * (1 + H_POLY_WEIGHT)] + [0.0] * (processes - 1)
    shares: list[list[str]] = [[] for _ in range(processes)]
    for name in sorted(costs, key=lambda name: -costs[name]):
        least = min(range(processes), key=loads.__getitem__)
        loads[least] += costs[name]
        shares[least].append(name)
    return shares


_FORKED_JOBS: list[MSM] = []
"""Set just before forking: what the workers find in their copy of this module."""


def _run_forked(index: int) -> Any:
    return run(_FORKED_JOBS[index])


def run_parallel(
    known: Mapping[str, MSM],
    late_name: str,
    late_points: Sequence[Any],
    late_scalars: Callable[[], Sequence[int]],
    workers: int,
) -> dict[str, Any]:
    """All `known` sums and the G1 sum of `late_points` with scalars from `late_scalars()`.

    `workers - 1` other processes take the largest known sums while this process computes
    the late scalars, the late sum and the known sums that balance the load (estimated by
    `cost`). Sums are never split: each piece would pay its own bucket reduction. The
    workers are forked (jobs by copy-on-write) only when that is safe, see
    `mixer.bn254.processes`; otherwise they start from the forkserver with jobs pickled.
    """
    global _FORKED_JOBS
    shares = assign({name: cost(msm) for name, msm in known.items()}, cost(MSM(late_points, [])), workers)
    mine, theirs = shares[0], [name for share in shares[1:] for name in share]
    context = processes.context()
    forked = context.get_start_method() == "fork"
    _FORKED_JOBS = [known[name] for name in theirs] if forked else []
    try:
        with context.Pool(workers - 1) as pool:
            if forked:
                results = pool.map_async(_run_forked, range(len(theirs)), chunksize=1)
            else:
                results = pool.map_async(run, [known[name] for name in theirs], chunksize=1)
            sums = {late_name: run(MSM(late_points, late_scalars()))}
            sums.update((name, run(known[name])) for name in mine)
            sums.update(zip(theirs, results.get(), strict=True))
    finally:
        _FORKED_JOBS = []
    return sums
