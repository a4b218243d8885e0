"""The optimized form of a circomlib Poseidon permutation, derived from its plain constants.

Two standard rewrites (Poseidon paper, appendix B) make the partial rounds cheap on the EVM,
and both are exact, so the optimized permutation equals the plain one on every input:

1. Constant hoisting: in a partial round only the first state word goes through the S-box,
   so the other words of a round constant can be pushed through the MDS matrix into the
   next round's constant. Each partial round then adds one scalar.
2. Sparse matrices: a partial round's matrix L is factored as L = S·P, where
   P = diag(1, L[1:,1:]) leaves word 0 alone (so it commutes with the partial S-box and the
   scalar constant) and S = [[L00, L[0,1:]·L[1:,1:]^-1], [L[1:,0], I]] is sparse. P moves
   into the previous round's matrix; the first partial round's P lands in the last full round
   of the first half, which is dense anyway. A sparse step costs 2t-1 multiplications
   instead of t^2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from mixer.field import R

Matrix = list[list[int]]


class PoseidonSpec(Protocol):
    """What the generator needs from `mixer.hashes.poseidon_params(n)`."""

    @property
    def t(self) -> int: ...
    @property
    def n_full(self) -> int: ...
    @property
    def n_partial(self) -> int: ...
    @property
    def round_constants(self) -> Sequence[int]: ...
    @property
    def mds(self) -> Sequence[Sequence[int]]: ...


@dataclass(frozen=True)
class SparseStep:
    """s0' = a*s0 + v·s[1:];  s[i]' = w[i-1]*s0 + s[i]."""

    a: int
    v: tuple[int, ...]
    w: tuple[int, ...]


@dataclass(frozen=True)
class OptimizedPoseidon:
    t: int
    full_constants: tuple[tuple[int, ...], ...]
    """Per full round (first half then second half), t constants each."""
    partial_constants: tuple[int, ...]
    mds: tuple[tuple[int, ...], ...]
    pre_partial_matrix: tuple[tuple[int, ...], ...]
    """Replaces the MDS in the last full round before the partial rounds."""
    sparse: tuple[SparseStep, ...]

    @property
    def half(self) -> int:
        return len(self.full_constants) // 2

    def permute(self, state: Sequence[int]) -> list[int]:
        """The permutation in optimized form (a pure-Python model of the generated contract)."""
        s = [x % R for x in state]
        for rnd in range(self.half):
            s = [pow((x + c) % R, 5, R) for x, c in zip(s, self.full_constants[rnd], strict=True)]
            m = self.pre_partial_matrix if rnd == self.half - 1 else self.mds
            s = _mul(m, s)
        for k, step in zip(self.partial_constants, self.sparse, strict=True):
            x0 = pow((s[0] + k) % R, 5, R)
            s0 = (step.a * x0 + sum(vi * si for vi, si in zip(step.v, s[1:], strict=True))) % R
            s = [s0] + [(wi * x0 + si) % R for wi, si in zip(step.w, s[1:], strict=True)]
        for rnd in range(self.half, 2 * self.half):
            s = [pow((x + c) % R, 5, R) for x, c in zip(s, self.full_constants[rnd], strict=True)]
            s = _mul(self.mds, s)
        return s


def plain_permute(spec: PoseidonSpec, state: Sequence[int]) -> list[int]:
    """The circomlib permutation exactly as specified (the reference for `optimize`)."""
    t, half = spec.t, spec.n_full // 2
    s = [x % R for x in state]
    for rnd in range(spec.n_full + spec.n_partial):
        s = [(x + spec.round_constants[rnd * t + i]) % R for i, x in enumerate(s)]
        if rnd < half or rnd >= half + spec.n_partial:
            s = [pow(x, 5, R) for x in s]
        else:
            s[0] = pow(s[0], 5, R)
        s = _mul([list(row) for row in spec.mds], s)
    return s


def optimize(spec: PoseidonSpec) -> OptimizedPoseidon:
    t, half, n_partial = spec.t, spec.n_full // 2, spec.n_partial
    mds = [[x % R for x in row] for row in spec.mds]
    consts = [
        [spec.round_constants[rnd * t + i] % R for i in range(t)] for rnd in range(spec.n_full + n_partial)
    ]
    # 1. hoist the non-first words of partial-round constants forward
    carry = [0] * t
    scalars: list[int] = []
    for rnd in range(half, half + n_partial):
        eff = [(c + e) % R for c, e in zip(consts[rnd], carry, strict=True)]
        scalars.append(eff[0])
        carry = _mul(mds, [0, *eff[1:]])
    after = half + n_partial
    consts[after] = [(c + e) % R for c, e in zip(consts[after], carry, strict=True)]
    # 2. factor partial-round matrices backwards, L = S·P
    steps: list[SparseStep] = []
    current = mds
    for _ in range(n_partial):
        inner = [row[1:] for row in current[1:]]
        v = _vec_mat([x for x in current[0][1:]], _inverse(inner))
        steps.append(SparseStep(current[0][0], tuple(v), tuple(row[0] for row in current[1:])))
        p = [[1] + [0] * (t - 1)] + [[0, *row] for row in inner]
        current = _matmul(p, mds)
    steps.reverse()
    full = consts[:half] + consts[after:]
    return OptimizedPoseidon(
        t=t,
        full_constants=tuple(tuple(c) for c in full),
        partial_constants=tuple(scalars),
        mds=tuple(tuple(row) for row in mds),
        pre_partial_matrix=tuple(tuple(row) for row in current),
        sparse=tuple(steps),
    )


def _mul(m: Sequence[Sequence[int]], v: Sequence[int]) -> list[int]:
    return [sum(a * b for a, b in zip(row, v, strict=True)) % R for row in m]


def _vec_mat(v: Sequence[int], m: Matrix) -> list[int]:
    return [sum(v[i] * m[i][j] for i in range(len(v))) % R for j in range(len(m[0]))]


def _matmul(a: Matrix, b: Matrix) -> Matrix:
    return [
        [sum(a[i][k] * b[k][j] for k in range(len(b))) % R for j in range(len(b[0]))] for i in range(len(a))
    ]


def _inverse(m: Matrix) -> Matrix:
    """Gauss-Jordan inverse modulo R (MDS submatrices are invertible by construction)."""
    n = len(m)
    aug = [[x % R for x in row] + [int(i == j) for j in range(n)] for i, row in enumerate(m)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if aug[r][col])
        aug[col], aug[pivot] = aug[pivot], aug[col]
        inv = pow(aug[col][col], -1, R)
        aug[col] = [x * inv % R for x in aug[col]]
        for r in range(n):
            if r != col and aug[r][col]:
                f = aug[r][col]
                aug[r] = [(x - f * y) % R for x, y in zip(aug[r], aug[col], strict=True)]
    return [row[n:] for row in aug]
