"""G1: the BN254 curve y^2 = x^3 + 3 over F_p, a group of prime order R (cofactor 1).

Public functions take and return affine points as `(x, y)` int tuples, `None` for the
point at infinity. Inside, single operations use Jacobian coordinates (X, Y, Z) with
x = X/Z^2, y = Y/Z^3, so a scalar multiplication needs one inversion instead of hundreds.
"""

from __future__ import annotations

from typing import Any, Final, TypeAlias

from mixer.bn254.batching import one_addition, prefix_products, with_equal_x
from mixer.bn254.fields import MP, P, power
from mixer.fastint import invert, mpz
from mixer.field import R

G1: TypeAlias = tuple[int, int] | None
Jac: TypeAlias = tuple[Any, Any, Any]
"""A Jacobian point of mpz coordinates; Z == 0 is infinity."""

B1: Final = 3
G1_GEN: Final[G1] = (1, 2)
JAC_INF: Final[Jac] = (mpz(1), mpz(1), mpz(0))


def g1_is_on_curve(a: G1) -> bool:
    """True for infinity and for canonical (x, y) with y^2 = x^3 + 3 (this is also G1 membership)."""
    if a is None:
        return True
    x, y = a
    return 0 <= x < P and 0 <= y < P and (y * y - x * x * x - B1) % P == 0


def to_jac(a: G1) -> Jac:
    if a is None:
        return JAC_INF
    return (mpz(a[0]), mpz(a[1]), mpz(1))


def from_jac(j: Jac) -> G1:
    x, y, z = j
    if z == 0:
        return None
    zi = invert(z, MP)
    zi2 = zi * zi % MP
    return (int(x * zi2 % MP), int(y * zi2 * zi % MP))


def jac_double(j: Jac) -> Jac:
    # dbl-2009-l (a = 0): 2M + 5S.
    x, y, z = j
    if z == 0 or y == 0:
        return JAC_INF
    a = x * x % MP
    b = y * y % MP
    c = b * b % MP
    d = 2 * ((x + b) ** 2 - a - c) % MP
    e = 3 * a
    x3 = (e * e - 2 * d) % MP
    return (x3, (e * (d - x3) - 8 * c) % MP, 2 * y * z % MP)


def jac_add(p: Jac, q: Jac) -> Jac:
    # add-2007-bl: 11M + 5S, with the doubling and inverse cases handled explicitly.
    x1, y1, z1 = p
    x2, y2, z2 = q
    if z1 == 0:
        return q
    if z2 == 0:
        return p
    z1z1 = z1 * z1 % MP
    z2z2 = z2 * z2 % MP
    u1 = x1 * z2z2 % MP
    u2 = x2 * z1z1 % MP
    s1 = y1 * z2 * z2z2 % MP
    s2 = y2 * z1 * z1z1 % MP
    h = (u2 - u1) % MP
    r = 2 * (s2 - s1) % MP
    if h == 0:
        return jac_double(p) if r == 0 else JAC_INF
    i = 4 * h * h % MP
    jj = h * i % MP
    v = u1 * i % MP
    x3 = (r * r - jj - 2 * v) % MP
    y3 = (r * (v - x3) - 2 * s1 * jj) % MP
    z3 = ((z1 + z2) ** 2 - z1z1 - z2z2) * h % MP
    return (x3, y3, z3)


def jac_mul(j: Jac, k: int) -> Jac:
    """[k] j for k >= 0, by left-to-right double-and-add."""
    return power(j, k, JAC_INF, jac_add, jac_double)


def g1_neg(a: G1) -> G1:
    if a is None:
        return None
    return (a[0], (-a[1]) % P)


def g1_add(a: G1, b: G1) -> G1:
    return from_jac(jac_add(to_jac(a), to_jac(b)))


def g1_mul(a: G1, k: int) -> G1:
    """[k] a; k is taken modulo R (valid because G1 has prime order R)."""
    return from_jac(jac_mul(to_jac(a), k % R))


# ---- Internal affine points (mpz pairs, None = infinity): the MSM's bucket arithmetic ----


def g1_affine_in(a: G1) -> Any:
    return None if a is None else (mpz(a[0]), mpz(a[1]))


def g1_affine_out(a: Any) -> G1:
    return None if a is None else (int(a[0]), int(a[1]))


def g1_batch_add(ps: list[Any], qs: list[Any]) -> list[Any]:
    """[p + q for p, q in zip(ps, qs)] for finite internal affine points, sharing one inversion."""
    m = MP  # a local: the hot loops below read it millions of times
    dens = [q[0] - p[0] for p, q in zip(ps, qs, strict=True)]
    if 0 in dens:  # rare: doublings and p = -q need their own slope
        return with_equal_x(g1_batch_add, _g1_add_equal_x, ps, qs, dens)
    prefix, inv = prefix_products(dens, m)  # the backward pass is fused into the additions
    out: list[Any] = [None] * len(dens)
    for i in range(len(dens) - 1, -1, -1):
        x1, y1 = ps[i]
        x2, y2 = qs[i]
        lam = (y2 - y1) * prefix[i] * inv % m  # prefix[i] * inv = 1 / dens[i]
        inv = inv * dens[i] % m
        x3 = (lam * lam - x1 - x2) % m
        out[i] = (x3, (lam * (x1 - x3) - y1) % m)
    return out


def _g1_add_equal_x(p: Any, q: Any) -> Any:
    (x, y1), (_, y2) = p, q
    if y1 != y2 or y1 == 0:
        return None
    lam = 3 * x * x * invert(2 * y1, MP) % MP
    x3 = (lam * lam - 2 * x) % MP
    return (x3, (lam * (x - x3) - y1) % MP)


def g1_batch_double(ps: list[Any]) -> list[Any]:
    """[2 p for p in ps] for finite internal affine points (G1 has odd order, so y != 0),
    sharing one inversion: slope 3 x^2 / 2 y."""
    m = MP
    dens = [2 * p[1] for p in ps]
    prefix, inv = prefix_products(dens, m)
    out: list[Any] = [None] * len(ps)
    for i in range(len(ps) - 1, -1, -1):
        x, y = ps[i]
        lam = 3 * x * x * prefix[i] * inv % m
        inv = inv * dens[i] % m
        x3 = (lam * lam - 2 * x) % m
        out[i] = (x3, (lam * (x - x3) - y) % m)
    return out


g1_affine_add = one_addition(g1_batch_add)
"""p + q for internal affine points (None = infinity); covers doubling and p = -q."""
