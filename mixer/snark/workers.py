"""Worker processes for proofs: how many, and what each computes.

The arithmetic (`multiexp`, `mixer.bn254`) runs in whichever process calls it; this module
alone starts processes for proofs, on the start policy of `mixer.processes` (fork only from
a single-threaded process, the forkserver otherwise).

How many: one per available core, but none for a circuit too small to repay their start
(`prove_workers`). Sums are never split: each piece would pay its own bucket reduction, so
whole sums are assigned to processes by estimated cost (`assign`).

What they compute: `run_parallel` forks workers per proof, after the jobs are laid out, so
that a proving key's points reach them through copy-on-write memory; only the resulting
points cross the process boundary. (A key's precomputed tables are held by long-lived
helpers instead: `mixer.snark.held_tables`.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from functools import partial
from typing import Any, Final

from mixer.processes import ForkedCall, context, default_workers, fork_is_safe
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


def _run_all(jobs: Sequence[MSM]) -> list[Any]:
    return [run(job) for job in jobs]


def run_parallel(
    known: Mapping[str, MSM],
    late_name: str,
    late_points: Sequence[Any],
    late_scalars: Callable[[], Sequence[int]],
    workers: int,
) -> dict[str, Any]:
    """All `known` sums and the G1 sum of `late_points` with scalars from `late_scalars()`.

    `workers - 1` other processes take shares of the known sums while this process computes
    the late scalars, the late sum and its own share, the shares balanced by estimated cost
    (`cost`), never splitting a sum. Each share's process is forked (`ForkedCall`: the jobs
    by copy-on-write) when that is safe; otherwise the shares go, pickled, to processes
    started from the forkserver.
    """
    shares = assign({name: cost(msm) for name, msm in known.items()}, cost(MSM(late_points, [])), workers)
    mine, theirs = shares[0], [share for share in shares[1:] if share]

    def here() -> dict[str, Any]:
        sums = {late_name: run(MSM(late_points, late_scalars()))}
        sums.update((name, run(known[name])) for name in mine)
        return sums

    if not theirs:  # more processes than sums worth moving
        return here()

    if fork_is_safe():
        with ExitStack() as children:
            calls = [
                children.enter_context(ForkedCall(partial(_run_all, [known[name] for name in share])))
                for share in theirs
            ]
            sums = here()
            for share, call in zip(theirs, calls, strict=True):
                sums.update(zip(share, call.result(), strict=True))
        return sums
    with context().Pool(len(theirs)) as pool:
        results = [pool.apply_async(_run_all, ([known[name] for name in share],)) for share in theirs]
        sums = here()
        for share, result in zip(theirs, results, strict=True):
            sums.update(zip(share, result.get(), strict=True))
    return sums
