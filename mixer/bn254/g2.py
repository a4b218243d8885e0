"""G2: the order-R subgroup of the sextic twist y^2 = x^3 + 3/(9+u) over F_p2.

Affine points are `((x0, x1), (y0, y1))` with x = x0 + x1*u, `None` for infinity. Unlike
G1, the twist curve has a large cofactor, so being on the curve does not imply being in
G2: `g2_in_subgroup` is the separate membership check a verifier must run on untrusted
points. Internally: Jacobian coordinates over F_p2, as in `g1`.
"""

from __future__ import annotations

from typing import Any, Final, TypeAlias

from mixer.bn254.batching import one_addition, prefix_products, with_equal_x
from mixer.bn254.fields import (
    F2_ONE,
    F2_ZERO,
    MP,
    Fq2,
    P,
    f2,
    f2_add,
    f2_int,
    f2_inv,
    f2_mul,
    f2_neg,
    f2_scale,
    f2_sqr,
    f2_sub,
    power,
)
from mixer.fastint import mpz
from mixer.field import R

G2: TypeAlias = tuple[Fq2, Fq2] | None
Jac2: TypeAlias = tuple[Fq2, Fq2, Fq2]

B2: Final[Fq2] = f2_mul(f2(3, 0), f2_inv(f2(9, 1)))
"""The twist coefficient 3 / (9 + u)."""

G2_GEN: Final[G2] = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)
JAC2_INF: Final[Jac2] = (F2_ONE, F2_ONE, F2_ZERO)


def _canonical(c: Fq2) -> bool:
    return 0 <= c[0] < P and 0 <= c[1] < P


def g2_is_on_curve(a: G2) -> bool:
    """True for infinity and for canonical points on the twist curve (NOT a subgroup check)."""
    if a is None:
        return True
    x, y = a
    if not (_canonical(x) and _canonical(y)):
        return False
    xm, ym = f2(*x), f2(*y)
    return f2_sqr(ym) == f2_add(f2_mul(f2_sqr(xm), xm), B2)


def g2_in_subgroup(a: G2) -> bool:
    """True iff `a` is on the twist curve and [R] a = infinity, i.e. `a` lies in G2."""
    return g2_is_on_curve(a) and jac2_mul(to_jac2(a), R)[2] == F2_ZERO


def to_jac2(a: G2) -> Jac2:
    if a is None:
        return JAC2_INF
    return (f2(*a[0]), f2(*a[1]), F2_ONE)


def from_jac2(j: Jac2) -> G2:
    x, y, z = j
    if z == F2_ZERO:
        return None
    zi = f2_inv(z)
    zi2 = f2_sqr(zi)
    return (f2_int(f2_mul(x, zi2)), f2_int(f2_mul(y, f2_mul(zi2, zi))))


def jac2_double(j: Jac2) -> Jac2:
    x, y, z = j
    if z == F2_ZERO or y == F2_ZERO:
        return JAC2_INF
    a = f2_sqr(x)
    b = f2_sqr(y)
    c = f2_sqr(b)
    t = f2_sub(f2_sub(f2_sqr(f2_add(x, b)), a), c)
    d = f2_add(t, t)
    e = f2_add(f2_add(a, a), a)
    x3 = f2_sub(f2_sqr(e), f2_add(d, d))
    c8 = f2_add(c, c)
    c8 = f2_add(c8, c8)
    c8 = f2_add(c8, c8)
    y3 = f2_sub(f2_mul(e, f2_sub(d, x3)), c8)
    yz = f2_mul(y, z)
    return (x3, y3, f2_add(yz, yz))


def jac2_add(p: Jac2, q: Jac2) -> Jac2:
    x1, y1, z1 = p
    x2, y2, z2 = q
    if z1 == F2_ZERO:
        return q
    if z2 == F2_ZERO:
        return p
    z1z1 = f2_sqr(z1)
    z2z2 = f2_sqr(z2)
    u1 = f2_mul(x1, z2z2)
    u2 = f2_mul(x2, z1z1)
    s1 = f2_mul(y1, f2_mul(z2, z2z2))
    s2 = f2_mul(y2, f2_mul(z1, z1z1))
    h = f2_sub(u2, u1)
    r = f2_sub(s2, s1)
    if h == F2_ZERO:
        return jac2_double(p) if r == F2_ZERO else JAC2_INF
    r = f2_add(r, r)
    i = f2_sqr(f2_add(h, h))
    jj = f2_mul(h, i)
    v = f2_mul(u1, i)
    x3 = f2_sub(f2_sub(f2_sqr(r), jj), f2_add(v, v))
    s1jj = f2_mul(s1, jj)
    y3 = f2_sub(f2_mul(r, f2_sub(v, x3)), f2_add(s1jj, s1jj))
    z3 = f2_mul(f2_sub(f2_sub(f2_sqr(f2_add(z1, z2)), z1z1), z2z2), h)
    return (x3, y3, z3)


def jac2_mul(j: Jac2, k: int) -> Jac2:
    """[k] j for k >= 0, by left-to-right double-and-add."""
    return power(j, k, JAC2_INF, jac2_add, jac2_double)


def g2_neg(a: G2) -> G2:
    if a is None:
        return None
    return (a[0], f2_int(f2_neg(f2(*a[1]))))


def g2_add(a: G2, b: G2) -> G2:
    return from_jac2(jac2_add(to_jac2(a), to_jac2(b)))


def g2_mul(a: G2, k: int) -> G2:
    """[k] a; a negative k multiplies -a. Not reduced mod R, so it is exact off the subgroup too."""
    if k < 0:
        return g2_mul(g2_neg(a), -k)
    return from_jac2(jac2_mul(to_jac2(a), k))


# ---- Internal affine points: flat (x0, x1, y0, y1) mpz tuples, None = infinity ----
# Flat rather than nested pairs: the MSM's hot loop unpacks and builds fewer tuples (~8%).


def g2_affine_in(a: G2) -> Any:
    if a is None:
        return None
    (x0, x1), (y0, y1) = a
    return (mpz(x0) % MP, mpz(x1) % MP, mpz(y0) % MP, mpz(y1) % MP)


def g2_affine_out(a: Any) -> G2:
    return None if a is None else ((int(a[0]), int(a[1])), (int(a[2]), int(a[3])))


def g2_batch_add(ps: list[Any], qs: list[Any]) -> list[Any]:
    """[p + q for p, q in zip(ps, qs)] for finite internal affine points, sharing one F_p
    inversion: 1/d = conj(d) / norm(d), and the norms are batch-inverted."""
    m = MP  # a local: the hot loops below read it millions of times
    dxs = [(q[0] - p[0], q[1] - p[1]) for p, q in zip(ps, qs, strict=True)]
    norms = [(d0 * d0 + d1 * d1) % m for d0, d1 in dxs]  # zero iff d is (u^2 = -1 is no square)
    if 0 in norms:  # rare: doublings and p = -q need their own slope
        return with_equal_x(g2_batch_add, _g2_add_equal_x, ps, qs, norms)
    prefix, inv = prefix_products(norms, m)
    out: list[Any] = [None] * len(norms)
    for i in range(len(norms) - 1, -1, -1):
        x10, x11, y10, y11 = ps[i]
        x20, x21, y20, y21 = qs[i]
        d0, d1 = dxs[i]
        t = prefix[i] * inv % m  # 1 / norm(d)
        inv = inv * norms[i] % m
        n0 = y20 - y10
        n1 = y21 - y11
        # slope = n / d = n * conj(d) / norm(d)
        out[i] = _g2_add_with_slope(
            x10, x11, y10, y11, x20, x21, (n0 * d0 + n1 * d1) * t % m, (n1 * d0 - n0 * d1) * t % m
        )
    return out


def g2_batch_double(ps: list[Any]) -> list[Any]:
    """[2 p for p in ps] for internal affine points of G2 (odd order, so y != 0), sharing one
    F_p inversion: slope 3 x^2 / 2 y, with 1 / 2y = conj(y) / 2 norm(y)."""
    m = MP
    norms = [2 * (p[2] * p[2] + p[3] * p[3]) % m for p in ps]
    prefix, inv = prefix_products(norms, m)
    out: list[Any] = [None] * len(ps)
    for i in range(len(ps) - 1, -1, -1):
        x0, x1, y0, y1 = ps[i]
        t = prefix[i] * inv % m
        inv = inv * norms[i] % m
        n0 = 3 * (x0 + x1) * (x0 - x1)  # 3 x^2
        n1 = 6 * x0 * x1
        out[i] = _g2_add_with_slope(
            x0, x1, y0, y1, x0, x1, (n0 * y0 + n1 * y1) * t % m, (n1 * y0 - n0 * y1) * t % m
        )
    return out


def _g2_add_with_slope(x10: Any, x11: Any, y10: Any, y11: Any, x20: Any, x21: Any, l0: Any, l1: Any) -> Any:
    m = MP  # a local: read six times per call, once per addition
    x30 = ((l0 + l1) * (l0 - l1) - x10 - x20) % m
    x31 = (2 * l0 * l1 - x11 - x21) % m
    dx0 = x10 - x30
    dx1 = x11 - x31
    return (x30, x31, (l0 * dx0 - l1 * dx1 - y10) % m, (l0 * dx1 + l1 * dx0 - y11) % m)


def _g2_add_equal_x(p: Any, q: Any) -> Any:
    x0, x1, y0, y1 = p
    if (y0, y1) != (q[2], q[3]) or (y0, y1) == (0, 0):
        return None
    x = (x0, x1)
    lam = f2_mul(f2_scale(f2_sqr(x), 3), f2_inv((2 * y0 % MP, 2 * y1 % MP)))  # 3 x^2 / 2 y
    return _g2_add_with_slope(x0, x1, y0, y1, x0, x1, lam[0], lam[1])


g2_affine_add = one_addition(g2_batch_add)
"""p + q for internal affine points (None = infinity); covers doubling and p = -q."""
