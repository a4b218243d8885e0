"""Worker processes for proofs: how many, and what each computes.

The arithmetic (`multiexp`, `mixer.bn254`) runs in whichever process calls it; this module
alone starts processes for proofs, on the start policy of `mixer.processes` (fork only from
a single-threaded process, the forkserver otherwise).

How many: one per available core, but none for a circuit too small to repay their start
(`prove_workers`). Sums are never split: each piece would pay its own bucket reduction, so
whole sums are assigned to processes by estimated cost (`assign`).

What they compute: `run_parallel` forks workers per proof, after the jobs are laid out, so
that a proving key's points reach them through copy-on-write memory; only the resulting
points cross the process boundary. `HeldTables` keeps a key's precomputed tables in
long-lived helpers instead: tables are large (~17 shifted copies of every point), and
forking per proof would make both sides copy every page they touch (reference counts are
writes), so each helper builds and keeps the tables of its own share of the sums, chosen
once; a proof sends it the scalars and gets points back.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Final

from mixer.bn254.fixed import FixedBases, fixed_bases_g1, fixed_bases_g2
from mixer.processes import context, default_workers
from mixer.snark.multiexp import H_POLY_WEIGHT, MSM, cost, run

PARALLEL_MIN_WIRES: Final = 1024
"""Below this many wires, starting workers costs a proof more than it saves."""


def prove_workers(requested: int | None, n_wires: int) -> int:
    """How many processes prove a witness of `n_wires`: `requested`, or by default one per
    core for a large circuit and this process alone for a small one."""
    if requested is not None:
        return requested
    return default_workers() if n_wires >= PARALLEL_MIN_WIRES else 1


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
    `cost`), never splitting a sum. The workers are forked (jobs by copy-on-write) only
    when that is safe (`context`); otherwise they start from the forkserver with jobs pickled.
    """
    global _FORKED_JOBS
    shares = assign({name: cost(msm) for name, msm in known.items()}, cost(MSM(late_points, [])), workers)
    mine, theirs = shares[0], [name for share in shares[1:] for name in share]
    start = context()
    forked = start.get_start_method() == "fork"
    _FORKED_JOBS = [known[name] for name in theirs] if forked else []
    try:
        with start.Pool(workers - 1) as pool:
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


# -- tables held by helper processes --------------------------------------------------------------

Points = tuple[Sequence[Any], bool]
"""A sum's points and whether they are G2 points."""

_HELD: dict[str, tuple[FixedBases, bool]] = {}
"""In a helper process: the tables it holds."""


def _build(points: Sequence[Any], g2: bool) -> FixedBases:
    return (fixed_bases_g2 if g2 else fixed_bases_g1)(points)


def _hold(sums: Mapping[str, Points]) -> None:
    for name, (points, g2) in sums.items():
        _HELD[name] = (_build(points, g2), g2)


def _held_sums(scalars: Mapping[str, Sequence[int]]) -> dict[str, Any]:
    return {name: run(MSM(_HELD[name][0], k, _HELD[name][1])) for name, k in scalars.items()}


def _shutdown(helpers: list[ProcessPoolExecutor]) -> None:
    for helper in helpers:
        helper.shutdown(wait=False, cancel_futures=True)


class HeldTables:
    """The tables of named sums (one of them `late`, whose scalars come last), spread over
    this process and `workers - 1` helper processes that keep them."""

    def __init__(self, sums: Mapping[str, Points], late: str, workers: int) -> None:
        self._sums = dict(sums)
        self._late = late
        self._closed = False
        costs = {name: cost(MSM(points, [], g2)) for name, (points, g2) in sums.items() if name != late}
        shares = assign(costs, cost(MSM(sums[late][0], [])), max(1, workers))
        # Each helper is started at its first submit, so the start method is chosen right
        # then (`context`): a second helper sees the first one's manager thread
        # and comes from the forkserver. The points travel pickled in either case.
        self._helpers: list[ProcessPoolExecutor] = []
        weakref.finalize(self, _shutdown, self._helpers)
        self._shares = shares[1:]
        builds = []
        for share in self._shares:
            self._helpers.append(ProcessPoolExecutor(1, mp_context=context()))
            builds.append(self._helpers[-1].submit(_hold, {name: sums[name] for name in share}))
        self._local = {name: _build(*sums[name]) for name in [late, *shares[0]]}
        for build in builds:
            build.result()

    def run(
        self,
        scalars: Mapping[str, Sequence[int]],
        late_scalars: Callable[[], Sequence[int]],
        on_sum: Callable[[str], None],
    ) -> dict[str, Any]:
        """Every sum: the helpers' while this process computes the late scalars and its own
        sums (`on_sum(name)` before each of those). RuntimeError after `close`."""
        if self._closed:
            raise RuntimeError("these tables were closed")
        futures: list[tuple[list[str], Future[dict[str, Any]] | None]] = []
        for helper, share in zip(self._helpers, self._shares, strict=True):
            try:
                futures.append((share, helper.submit(_held_sums, {name: scalars[name] for name in share})))
            except BrokenProcessPool:  # it died since the last proof
                futures.append((share, None))
        late = late_scalars()
        sums = {}
        for name in self._local:
            on_sum(name)
            g2 = self._sums[name][1]
            sums[name] = run(MSM(self._local[name], late if name == self._late else scalars[name], g2))
        for share, future in futures:
            try:
                if future is not None:
                    sums.update(future.result())
                    continue
            except BrokenProcessPool:
                pass
            for name in share:  # its helper died: these sums without tables, here
                points, g2 = self._sums[name]
                sums[name] = run(MSM.sparse(points, scalars[name], g2))
        return sums

    def close(self) -> None:
        """Stop the helper processes (also done when this object is garbage-collected)."""
        self._closed = True
        _shutdown(self._helpers)
