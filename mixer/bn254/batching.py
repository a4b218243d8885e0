"""Shared plumbing of the batched affine additions in `g1` and `g2`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mixer.fastint import invert


def prefix_products(values: list[Any], m: Any) -> tuple[list[Any], Any]:
    """Montgomery's trick, forward half: the product of the values before each one, and the
    inverse of the product of all (mod m). The caller walks back, fusing its own work:
    1 / values[i] = prefix[i] * inv, then inv *= values[i]."""
    prefix = []
    acc = 1
    for v in values:
        prefix.append(acc)
        acc = acc * v % m
    return prefix, invert(acc, m)


def with_equal_x(
    batch_add: Callable[[list[Any], list[Any]], list[Any]],
    add_equal_x: Callable[[Any, Any], Any],
    ps: list[Any],
    qs: list[Any],
    dens: list[Any],
) -> list[Any]:
    """A batched point addition where some pairs share x (doubling or p = -q, flagged by a
    zero in `dens`): those go through `add_equal_x` one by one, the rest stay batched."""
    rest = [i for i, d in enumerate(dens) if d != 0]
    out = [add_equal_x(p, q) if d == 0 else None for p, q, d in zip(ps, qs, dens, strict=True)]
    if rest:
        for i, s in zip(rest, batch_add([ps[i] for i in rest], [qs[i] for i in rest]), strict=True):
            out[i] = s
    return out


def one_addition(batch_add: Callable[[list[Any], list[Any]], list[Any]]) -> Callable[[Any, Any], Any]:
    """p + q for single internal affine points (None = infinity) from a batched addition."""

    def add(p: Any, q: Any) -> Any:
        if p is None:
            return q
        if q is None:
            return p
        return batch_add([p], [q])[0]

    return add
