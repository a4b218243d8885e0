"""Bit gadgets: the boolean constraint and the 2-way swap selector of a Merkle path."""

from __future__ import annotations

from mixer.snark.circuit import LC, Circuit


def assert_bool(c: Circuit, x: LC, label: str | None = None) -> None:
    """Constrain x to {0, 1} with x * (x - 1) = 0 (one constraint)."""
    c.constrain(x, x - 1, LC.constant(0), label)


def dual_mux(c: Circuit, a: LC, b: LC, s: LC, label: str | None = None) -> tuple[LC, LC]:
    """(a, b) when s = 0, (b, a) when s = 1; ONE constraint for the pair.

    Both outputs share the product d = (b - a) * s: left = a + d, right = b - d. Tornado's
    DualMux spends a constraint per output. `s` must be constrained boolean by the caller
    (for s outside {0, 1} the outputs are still determined, just not a swap).
    """
    d = c.mul(b - a, s, label)
    return a + d, b - d
