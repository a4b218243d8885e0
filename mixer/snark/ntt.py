"""Radix-2 number-theoretic transform over F_r, with the roots of unity snarkjs uses.

The roots must be exactly ffjavascript's: a snarkjs `.zkey` stores its H points as
Lagrange bases over these domains, so a different generator would give wrong proofs
with every imported key. ffjavascript takes the smallest quadratic non-residue `g`
(5 for BN254's r), `w[28] = g^t` with `r - 1 = 2^28 * t`, and `w[k] = w[k+1]^2`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final

from mixer.fastint import mpz
from mixer.field import R

TWO_ADICITY: Final = 28
"""r - 1 = 2^28 * odd: the largest power-of-two domain that F_r supports."""

_ODD: Final = (R - 1) >> TWO_ADICITY
_NON_RESIDUE: Final = 5
"""Smallest quadratic non-residue of F_r (ffjavascript's `nqr`)."""
_MAX_ROOT: Final = pow(_NON_RESIDUE, _ODD, R)
_MPZ: Final[Any] = mpz
_R: Final[Any] = mpz(R)


def root_of_unity(log_n: int) -> int:
    """The generator ffjavascript uses for the domain of size 2^log_n."""
    if not 0 <= log_n <= TWO_ADICITY:
        raise ValueError(f"F_r has no domain of size 2^{log_n} (max 2^{TWO_ADICITY})")
    return pow(_MAX_ROOT, 1 << (TWO_ADICITY - log_n), R)


def coset_shift(log_n: int) -> int:
    """The shift snarkjs evaluates its H polynomial on: the 2n-th root of unity.

    Shifting a size-n domain by it gives the odd powers of the size-2n domain, where
    the vanishing polynomial x^n - 1 is the constant -2.
    """
    if log_n < TWO_ADICITY:
        return root_of_unity(log_n + 1)
    return _NON_RESIDUE * _NON_RESIDUE % R  # ffjavascript's `Fr.shift` for the largest domain


def log2_exact(n: int) -> int:
    """log2(n) for a power of two n >= 1; ValueError otherwise."""
    if n < 1 or n & (n - 1):
        raise ValueError(f"NTT size must be a power of two, got {n}")
    return n.bit_length() - 1


@lru_cache(maxsize=8)
def _twiddles(log_n: int, inverse: bool) -> tuple[tuple[Any, ...], ...]:
    """For each sub-size m = 2, 4, ..., n: the m/2 powers of the m-th root used at that level."""
    w = root_of_unity(log_n)
    if inverse:
        w = pow(w, -1, R)
    half = (1 << log_n) >> 1
    full = [_MPZ(1)] * half
    for k in range(1, half):
        full[k] = full[k - 1] * w % _R
    return tuple(tuple(full[: half : 1 << (log_n - level)]) for level in range(1, log_n + 1))


def _dit(a: Sequence[Any], twiddles: tuple[tuple[Any, ...], ...], level: int) -> list[Any]:
    """Decimation in time: transform of the even and odd halves, then one butterfly layer.

    Sums are left unreduced (only products are reduced): with inputs below k*p, outputs
    stay below (k + level)*p, a few bits over p, and the caller reduces once at the end.
    """
    p = _R
    if level == 2:  # a 4-point transform inline: the recursion's calls cost more than its math
        a0, a1, a2, a3 = a
        e1, o0 = a0 - a2 + p, a1 + a3
        t1 = twiddles[1][1] * (a1 - a3 + p) % p
        return [a0 + a2 + o0, e1 + t1, a0 + a2 - o0 + 2 * p, e1 - t1 + p]
    if level == 1:
        return [a[0] + a[1], a[0] - a[1] + p]
    even = _dit(a[0::2], twiddles, level - 1)
    odd = _dit(a[1::2], twiddles, level - 1)
    t = [w * o % p for w, o in zip(twiddles[level - 1], odd, strict=True)]
    return [e + x for e, x in zip(even, t, strict=True)] + [e - x + p for e, x in zip(even, t, strict=True)]


def to_mpz(values: Sequence[int]) -> list[Any]:
    """The internal representation (`mixer.fastint.mpz`; gmpy2's: ~2x faster modular products)."""
    return [_MPZ(x) for x in values]


def ntt_mpz(values: Sequence[Any], *, inverse: bool = False) -> list[Any]:
    """`ntt` on and to mpz values, for pipelines that stay in the internal representation."""
    log_n = log2_exact(len(values))
    if log_n == 0:
        return [_MPZ(values[0])]
    out = _dit(values, _twiddles(log_n, inverse), log_n)
    if inverse:
        n_inv = _MPZ(pow(len(values), -1, R))
        return [x * n_inv % _R for x in out]
    return [x % _R for x in out]


def ntt(values: Sequence[int], *, inverse: bool = False) -> list[int]:
    """Evaluations at w^0..w^(n-1) of the polynomial with coefficients `values` (natural order).

    With `inverse=True`, the coefficients of the polynomial taking those evaluations.
    `len(values)` must be a power of two; entries must be canonical (< r).
    """
    return [int(x) for x in ntt_mpz(to_mpz(values), inverse=inverse)]


@lru_cache(maxsize=4)
def _coset_factors(log_n: int) -> tuple[Any, ...]:
    """shift^i / n: the inverse NTT's 1/n and the coset shift, applied in one pass."""
    factor = _MPZ(pow(1 << log_n, -1, R))
    shift = _MPZ(coset_shift(log_n))
    out = [factor] * (1 << log_n)
    for i in range(1, 1 << log_n):
        out[i] = out[i - 1] * shift % _R
    return tuple(out)


def coset_evaluations_mpz(evaluations: Sequence[Any]) -> list[Any]:
    """From p's values on the size-n domain, p's values on the shifted domain (snarkjs's coset)."""
    log_n = log2_exact(len(evaluations))
    if log_n == 0:
        return [_MPZ(evaluations[0])]
    # Coefficients of p(shift * x) = coefficients of p times shift^i; then evaluate on the domain.
    unscaled = _dit(evaluations, _twiddles(log_n, True), log_n)
    shifted = [c * f % _R for c, f in zip(unscaled, _coset_factors(log_n), strict=True)]
    return [x % _R for x in _dit(shifted, _twiddles(log_n, False), log_n)]


def coset_evaluations(evaluations: Sequence[int]) -> list[int]:
    """`coset_evaluations_mpz` on and to ints."""
    return [int(x) for x in coset_evaluations_mpz(to_mpz(evaluations))]
