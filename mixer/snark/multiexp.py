"""The prover's multi-scalar multiplications, spread over forked worker processes.

The workers are forked after the jobs are laid out, so the proving key's points reach them
through copy-on-write memory instead of being pickled for every proof; only the scalars
computed meanwhile in the parent (the H evaluations) and the resulting points cross the
process boundary. Each sum is cut into contiguous chunks so the work balances across
cores; the partial sums are added in the parent.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mixer.bn254 import g1_add, g2_add, msm_g1, msm_g2


@dataclass(frozen=True)
class MSM:
    """sum_i scalars[i] * points[i] on G1 or (g2=True) G2."""

    points: Sequence[Any]
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
    if msm.g2:
        return msm_g2(msm.points, msm.scalars, workers=1)
    return msm_g1(msm.points, msm.scalars, workers=1)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _bounds(n: int, parts: int) -> list[tuple[int, int]]:
    return list(itertools.pairwise(n * i // parts for i in range(parts + 1)))


def _chunks(msm: MSM, parts: int) -> list[MSM]:
    return [MSM(msm.points[lo:hi], msm.scalars[lo:hi], msm.g2) for lo, hi in _bounds(len(msm.points), parts)]


G2_SPLIT = 1
"""Chunks per worker for each G2 sum (G1 sums stay whole)."""
LATE_SPLIT = 1
"""Chunks per worker for the late (H) sum."""

_FORKED_JOBS: list[MSM] = []
"""Set just before forking: what the workers find in their copy of this module."""


def _run_forked(item: tuple[int, Sequence[int] | None]) -> Any:
    index, scalars = item
    job = _FORKED_JOBS[index]
    return run(job if scalars is None else MSM(job.points, scalars, job.g2))


def _total(parts: list[Any], g2: bool) -> Any:
    total: Any = None
    for p in parts:
        total = g2_add(total, p) if g2 else g1_add(total, p)
    return total


def run_parallel(
    known: Mapping[str, MSM],
    late_name: str,
    late_points: Sequence[Any],
    late_scalars: Callable[[], Sequence[int]],
    workers: int,
) -> dict[str, Any]:
    """All `known` sums and the G1 sum of `late_points` with scalars from `late_scalars()`.

    The workers start on the known sums while the parent computes the late scalars.
    Requires the fork start method (see `can_fork`).
    """
    global _FORKED_JOBS
    layout: list[tuple[str, MSM]] = []
    for name, msm in known.items():
        # A G2 sum costs about three G1 sums of its size: split it, keep the G1 sums whole
        # (each split adds a bucket-reduction pass), and hand out the largest jobs first.
        layout += [(name, chunk) for chunk in _chunks(msm, workers * G2_SPLIT if msm.g2 else 1)]
    layout.sort(key=lambda job: -len(job[1].points) * (3 if job[1].g2 else 1))
    n_known = len(layout)
    late_bounds = _bounds(len(late_points), workers * LATE_SPLIT)
    layout += [(late_name, MSM(late_points[lo:hi], [])) for lo, hi in late_bounds]
    _FORKED_JOBS = [msm for _, msm in layout]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            first = pool.map_async(_run_forked, [(i, None) for i in range(n_known)], chunksize=1)
            scalars = late_scalars()
            items = [(n_known + k, scalars[lo:hi]) for k, (lo, hi) in enumerate(late_bounds)]
            late = pool.map_async(_run_forked, items, chunksize=1)  # queued now, not after `first`
            results = first.get() + late.get()
    finally:
        _FORKED_JOBS = []
    sums: dict[str, list[Any]] = {}
    for (name, _), point in zip(layout, results, strict=True):
        sums.setdefault(name, []).append(point)
    g2 = {name: msm.g2 for name, msm in known.items()}
    return {name: _total(parts, g2.get(name, False)) for name, parts in sums.items()}


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
