"""The prover's multi-scalar multiplications and their estimated costs, in this process.

A sum (`MSM`) runs on a key's plain points or on its precomputed table (`mixer.bn254.fixed`);
`cost` is what `workers` balances processes by. Starting processes is `workers`'s business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mixer.bn254 import msm_g1, msm_g2
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
        return msm_g2(msm.points, msm.scalars)
    return msm_g1(msm.points, msm.scalars)


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
