"""The BN254 base field F_p and its tower F_p2 -> F_p6 -> F_p12, on plain tuples of integers.

Elements of F_p are integers in [0, P) (`mixer.fastint.mpz` inside the hot paths: gmpy2's
when installed, whose multiply-and-reduce is ~2.5x and inversion ~13x faster than int's).
F_p2 = F_p[u]/(u^2 + 1) is a pair (c0, c1) = c0 + c1*u; F_p6 = F_p2[v]/(v^3 - XI) with
XI = 9 + u is a triple of F_p2; F_p12 = F_p6[w]/(w^2 - v) is a pair of F_p6. So w^6 = XI,
the same tower the EIP-197 precompile and most BN254 libraries use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeAlias, TypeVar

from mixer.fastint import invert, mpz

P: Final = 21888242871839275222246405745257275088696311157297823662689037894645226208583
"""The BN254 base-field prime (coordinates of G1 and G2 live in F_P and F_P2)."""

MP: Final[Any] = mpz(P)

Fq2: TypeAlias = tuple[int, int]
Fq6: TypeAlias = tuple[Fq2, Fq2, Fq2]
Fq12: TypeAlias = tuple[Fq6, Fq6]

F2_ZERO: Final[Fq2] = (mpz(0), mpz(0))
F2_ONE: Final[Fq2] = (mpz(1), mpz(0))
F6_ZERO: Final[Fq6] = (F2_ZERO, F2_ZERO, F2_ZERO)
F6_ONE: Final[Fq6] = (F2_ONE, F2_ZERO, F2_ZERO)
F12_ONE: Final[Fq12] = (F6_ONE, F6_ZERO)


def f2(c0: int, c1: int) -> Fq2:
    """An F_p2 element from two integers, reduced and converted to the internal type."""
    return (mpz(c0) % MP, mpz(c1) % MP)


def f2_int(a: Fq2) -> Fq2:
    """The same element with plain Python ints (for values handed back to callers)."""
    return (int(a[0]), int(a[1]))


def f2_add(a: Fq2, b: Fq2) -> Fq2:
    return ((a[0] + b[0]) % MP, (a[1] + b[1]) % MP)


def f2_sub(a: Fq2, b: Fq2) -> Fq2:
    return ((a[0] - b[0]) % MP, (a[1] - b[1]) % MP)


def f2_neg(a: Fq2) -> Fq2:
    return (-a[0] % MP, -a[1] % MP)


def f2_mul(a: Fq2, b: Fq2) -> Fq2:
    a0, a1 = a
    b0, b1 = b
    return ((a0 * b0 - a1 * b1) % MP, (a0 * b1 + a1 * b0) % MP)


def f2_sqr(a: Fq2) -> Fq2:
    a0, a1 = a
    return ((a0 + a1) * (a0 - a1) % MP, 2 * a0 * a1 % MP)


def f2_scale(a: Fq2, k: int) -> Fq2:
    """a * k for k in F_p."""
    return (a[0] * k % MP, a[1] * k % MP)


def f2_mul_xi(a: Fq2) -> Fq2:
    """a * (9 + u)."""
    a0, a1 = a
    return ((9 * a0 - a1) % MP, (a0 + 9 * a1) % MP)


def f2_conj(a: Fq2) -> Fq2:
    """The Frobenius map a -> a^p on F_p2."""
    return (a[0], -a[1] % MP)


def f2_inv(a: Fq2) -> Fq2:
    a0, a1 = a
    t = invert(a0 * a0 + a1 * a1, MP)
    return (a0 * t % MP, -a1 * t % MP)


T = TypeVar("T")


def power(a: T, e: int, one: T, mul: Callable[[T, T], T], sqr: Callable[[T], T]) -> T:
    """a^e for e >= 0 by left-to-right square-and-multiply, in any group given its operations
    (also [e] P on a curve, with `sqr` = doubling and `mul` = addition)."""
    result = one
    for bit in bin(e)[2:]:
        result = sqr(result)
        if bit == "1":
            result = mul(result, a)
    return result


def f2_pow(a: Fq2, e: int) -> Fq2:
    return power(a, e, F2_ONE, f2_mul, f2_sqr)


def f2_sqrt(a: Fq2) -> Fq2 | None:
    """A square root of `a`, or None when `a` is not a square (P = 3 mod 4 algorithm)."""
    a1 = f2_pow(a, (P - 3) // 4)
    alpha = f2_mul(a1, f2_mul(a1, a))
    x0 = f2_mul(a1, a)
    if alpha == (MP - 1, 0):
        x = f2_mul((mpz(0), mpz(1)), x0)
    else:
        x = f2_mul(f2_pow(f2_add(F2_ONE, alpha), (P - 1) // 2), x0)
    return x if f2_sqr(x) == a else None


# ---- F_p6 = F_p2[v] / (v^3 - XI) ----


def f6_add(a: Fq6, b: Fq6) -> Fq6:
    return (f2_add(a[0], b[0]), f2_add(a[1], b[1]), f2_add(a[2], b[2]))


def f6_sub(a: Fq6, b: Fq6) -> Fq6:
    return (f2_sub(a[0], b[0]), f2_sub(a[1], b[1]), f2_sub(a[2], b[2]))


def f6_neg(a: Fq6) -> Fq6:
    return (f2_neg(a[0]), f2_neg(a[1]), f2_neg(a[2]))


def f6_mul(a: Fq6, b: Fq6) -> Fq6:
    a0, a1, a2 = a
    b0, b1, b2 = b
    t0 = f2_mul(a0, b0)
    t1 = f2_mul(a1, b1)
    t2 = f2_mul(a2, b2)
    c0 = f2_add(t0, f2_mul_xi(f2_sub(f2_mul(f2_add(a1, a2), f2_add(b1, b2)), f2_add(t1, t2))))
    c1 = f2_add(f2_sub(f2_mul(f2_add(a0, a1), f2_add(b0, b1)), f2_add(t0, t1)), f2_mul_xi(t2))
    c2 = f2_add(f2_sub(f2_mul(f2_add(a0, a2), f2_add(b0, b2)), f2_add(t0, t2)), t1)
    return (c0, c1, c2)


def f6_mul_v(a: Fq6) -> Fq6:
    """a * v."""
    return (f2_mul_xi(a[2]), a[0], a[1])


def f6_inv(a: Fq6) -> Fq6:
    a0, a1, a2 = a
    t0 = f2_sub(f2_sqr(a0), f2_mul_xi(f2_mul(a1, a2)))
    t1 = f2_sub(f2_mul_xi(f2_sqr(a2)), f2_mul(a0, a1))
    t2 = f2_sub(f2_sqr(a1), f2_mul(a0, a2))
    norm = f2_add(f2_mul(a0, t0), f2_mul_xi(f2_add(f2_mul(a2, t1), f2_mul(a1, t2))))
    n_inv = f2_inv(norm)
    return (f2_mul(t0, n_inv), f2_mul(t1, n_inv), f2_mul(t2, n_inv))


# ---- F_p12 = F_p6[w] / (w^2 - v) ----


def f12_mul(a: Fq12, b: Fq12) -> Fq12:
    a0, a1 = a
    b0, b1 = b
    t0 = f6_mul(a0, b0)
    t1 = f6_mul(a1, b1)
    c1 = f6_sub(f6_mul(f6_add(a0, a1), f6_add(b0, b1)), f6_add(t0, t1))
    return (f6_add(t0, f6_mul_v(t1)), c1)


def _f6_mul_by_01(x: Fq6, b: Fq2, c: Fq2) -> Fq6:
    """x * (b + c v)."""
    x0, x1, x2 = x
    return (
        f2_add(f2_mul(x0, b), f2_mul_xi(f2_mul(x2, c))),
        f2_add(f2_mul(x0, c), f2_mul(x1, b)),
        f2_add(f2_mul(x1, c), f2_mul(x2, b)),
    )


def f12_mul_sparse(f: Fq12, a: Fq2, b: Fq2, c: Fq2) -> Fq12:
    """f * (a + b w + c w^3), the shape of a Miller-loop line: 15 F_p2 products instead of 18."""
    f0, f1 = f
    t0 = (f2_mul(f0[0], a), f2_mul(f0[1], a), f2_mul(f0[2], a))
    t1 = _f6_mul_by_01(f1, b, c)
    s = _f6_mul_by_01(f6_add(f0, f1), f2_add(a, b), c)
    return (f6_add(t0, f6_mul_v(t1)), f6_sub(s, f6_add(t0, t1)))


def f12_sqr(a: Fq12) -> Fq12:
    a0, a1 = a
    t = f6_mul(a0, a1)
    c0 = f6_sub(f6_mul(f6_add(a0, a1), f6_add(a0, f6_mul_v(a1))), f6_add(t, f6_mul_v(t)))
    return (c0, f6_add(t, t))


def f12_conj(a: Fq12) -> Fq12:
    """a^(p^6): the inverse of `a` when `a` lies in the cyclotomic subgroup."""
    return (a[0], f6_neg(a[1]))


def f12_inv(a: Fq12) -> Fq12:
    a0, a1 = a
    t = f6_inv(f6_sub(f6_mul(a0, a0), f6_mul_v(f6_mul(a1, a1))))
    return (f6_mul(a0, t), f6_neg(f6_mul(a1, t)))


def _frobenius_coefficients(power: int) -> list[Fq2]:
    # (w^k)^(p^n) = w^k * XI^(k (p^n - 1) / 6), since w^6 = XI.
    base = f2_pow((mpz(9), mpz(1)), (P**power - 1) // 6)
    return [f2_pow(base, k) for k in range(6)]


_FROB = {n: _frobenius_coefficients(n) for n in (1, 2, 3)}


def f12_frobenius(a: Fq12, power: int) -> Fq12:
    """a^(p^power) for power in {1, 2, 3}."""
    gamma = _FROB[power]
    (c0, c2, c4), (c1, c3, c5) = a  # coefficient of w^k is c_k
    conj = f2_conj if power % 2 else (lambda x: x)
    r = [f2_mul(conj(c), g) for c, g in zip((c0, c1, c2, c3, c4, c5), gamma, strict=True)]
    return ((r[0], r[2], r[4]), (r[1], r[3], r[5]))


def f12_pow(a: Fq12, e: int) -> Fq12:
    return power(a, e, F12_ONE, f12_mul, f12_sqr)
