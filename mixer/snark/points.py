"""Curve points and header sizes in our binary files (the key file, the prover cache).

A point is 32-byte big-endian words: G1 = x | y, G2 = x.c0 | x.c1 | y.c0 | y.c1, and the
point at infinity is all zero bytes. `WordReader` reads a body front to back and raises the
file's own error (given by the caller) past its end, so each format keeps its own messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mixer.bn254 import G1, G2


def g1_bytes(points: Iterable[G1]) -> bytes:
    return b"".join(
        bytes(64) if p is None else p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big") for p in points
    )


def g2_bytes(points: Iterable[G2]) -> bytes:
    out = bytearray()
    for p in points:
        if p is None:
            out += bytes(128)
        else:
            (x0, x1), (y0, y1) = p
            out += b"".join(v.to_bytes(32, "big") for v in (x0, x1, y0, y1))
    return bytes(out)


def header_size(
    header: Mapping[str, Any], name: str, error: Callable[[str], Exception], limit: int = 1 << 28
) -> int:
    """The non-negative integer `header[name]` (at most `limit`); `error(message)` otherwise."""
    value = header.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
        raise error(f"header field {name!r} is invalid")
    return value


class WordReader:
    """Reads a body front to back; `error(message)` past its end or on trailing bytes."""

    def __init__(self, data: memoryview, error: Callable[[str], Exception], what: str) -> None:
        self.data = data
        self.pos = 0
        self._error = error
        self._what = what

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise self._error(f"{self._what} is truncated (shorter than its header says)")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def words(self, n: int) -> list[int]:
        chunk = self.take(32 * n)
        from_bytes = int.from_bytes
        return [from_bytes(chunk[i : i + 32], "big") for i in range(0, 32 * n, 32)]

    def g1s(self, n: int) -> tuple[G1, ...]:
        w = self.words(2 * n)
        return tuple((x, y) if x or y else None for x, y in zip(w[0::2], w[1::2], strict=True))

    def g2s(self, n: int) -> tuple[G2, ...]:
        w = self.words(4 * n)
        return tuple(
            ((x0, x1), (y0, y1)) if x0 or x1 or y0 or y1 else None
            for x0, x1, y0, y1 in zip(w[0::4], w[1::4], w[2::4], w[3::4], strict=True)
        )

    def end(self) -> None:
        if self.pos != len(self.data):
            raise self._error(f"{self._what} has trailing data (longer than its header says)")
