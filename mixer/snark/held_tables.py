"""A proving key's precomputed tables, held by long-lived helper processes (`HeldTables`).

Tables are large (~17 shifted copies of every point, `mixer.bn254.fixed`), and forking per
proof as `mixer.snark.workers` does would make both sides copy every page they touch
(reference counts are writes), so each helper builds and keeps the tables of its own share
of the sums, chosen once (`workers.assign`); a proof sends it the scalars and gets points
back. Only a prover that keeps its key loaded uses them (`groth16.precompute`), so the
process pool's modules load with this module, not with every proof.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from mixer.bn254.fixed import FixedBases, fixed_bases_g1, fixed_bases_g2
from mixer.processes import context
from mixer.snark.multiexp import MSM, cost, run
from mixer.snark.workers import assign

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
