"""The integers of the hot loops (curve, NTT and hash arithmetic): gmpy2 when installed.

gmpy2 is the fast path, not a requirement: its `mpz` multiply-and-reduce is ~2.5x and its
modular inversion ~13x faster than Python's int at 254 bits (docs/bn254.md has what that
buys a whole proof), but every result is the same with plain ints. Modules take `mpz`,
`invert` and `HAVE_GMPY2` from here, so there is one place where the choice is made.
"""

from __future__ import annotations

from typing import Any, Final

try:
    import gmpy2
except ImportError:  # also when sys.modules["gmpy2"] is None (the tests' way to hide it)
    gmpy2 = None

HAVE_GMPY2: Final = gmpy2 is not None


def _int_invert(x: int, m: int) -> int:
    """x^-1 mod m, raising ZeroDivisionError like gmpy2.invert when there is none."""
    try:
        return pow(x, -1, m)
    except ValueError:
        raise ZeroDivisionError("not invertible") from None


mpz: Final[Any] = gmpy2.mpz if gmpy2 is not None else int
"""Converts an int to the fast representation (the identity without gmpy2)."""
invert: Final[Any] = gmpy2.invert if gmpy2 is not None else _int_invert
"""invert(x, m) = x^-1 mod m; ZeroDivisionError when x has no inverse."""
