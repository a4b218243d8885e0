"""Poseidon's parameters, derived from the published Grain LFSR procedure.

The Poseidon authors generate round constants and the MDS matrix with an 80-bit Grain
shift register seeded by the instance's parameters (`generate_parameters_grain.sage` in the
reference repository). circomlib's tables come from that procedure for a 254-bit prime
field, x^5 S-box, 8 full rounds and the partial-round counts below; deriving them here
instead of pasting tables means a typo cannot hide in 2,000 hex constants, and the tests
compare the result with circomlibjs's own tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from mixer.field import R

FULL_ROUNDS = 8
# circomlib's partial-round counts for widths t = 2..17 (1..16 inputs).
PARTIAL_ROUNDS = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)
MAX_INPUTS = len(PARTIAL_ROUNDS)
FIELD_BITS = 254


@dataclass(frozen=True)
class PoseidonParams:
    """One Poseidon instance: width t = inputs + 1, round counts, constants, MDS matrix."""

    t: int
    n_full: int
    n_partial: int
    round_constants: tuple[int, ...]
    """(n_full + n_partial) * t constants, round-major."""
    mds: tuple[tuple[int, ...], ...]


def _bits(value: int, width: int) -> list[int]:
    return [int(b) for b in format(value, f"0{width}b")]


def _pair_filter(pairs: int) -> list[str]:
    """For each value of `pairs` bit pairs (the first bit of a pair is its lower bit), the
    bits the output filter emits: a pair whose first bit is 1 emits its second bit."""
    table = [""]
    for _ in range(pairs):
        table = [first + rest for rest in table for first in ("", "0", "", "1")]
    return table


_LOW_PAIRS, _HIGH_PAIRS = _pair_filter(5), _pair_filter(4)


class _GrainBits:
    """The Grain LFSR's output bits for one instance (after the usual pair-filtering), as
    '0'/'1' characters, generated 18 at a time.

    The register is b_{i+80} = b_{i+62} ^ b_{i+51} ^ b_{i+38} ^ b_{i+23} ^ b_{i+13} ^ b_i, so
    the next 18 bits depend only on bits already in the 80-bit register: held as an int
    (bit j = b_{pos+j}), one block is six shifts and XORs instead of 18 Python steps, and
    its 9 pairs go through the output filter by two table lookups.
    """

    def __init__(self, t: int, n_partial: int) -> None:
        # Seed: field type 1 (prime), S-box 0 (x^alpha), field size, width, rounds, 30 ones.
        seed = (
            _bits(1, 2)
            + _bits(0, 4)
            + _bits(FIELD_BITS, 12)
            + _bits(t, 12)
            + _bits(FULL_ROUNDS, 10)
            + _bits(n_partial, 10)
            + [1] * 30
        )
        self._register = sum(bit << j for j, bit in enumerate(seed))
        # The first 160 bits are discarded: 8 blocks and 16 bits of the 9th, whose last
        # pair is the first one filtered (later blocks then hold whole pairs).
        for _ in range(8):
            self._block()
        self._out = _pair_filter(1)[self._block() >> 16]
        self._used = 0

    def _block(self) -> int:
        """The next 18 register bits (bit k generated k-th)."""
        w = self._register
        new = (w ^ (w >> 13) ^ (w >> 23) ^ (w >> 38) ^ (w >> 51) ^ (w >> 62)) & 0x3FFFF
        self._register = (w >> 18) | (new << 62)
        return new

    def take(self, n: int) -> str:
        """The next `n` output bits."""
        while len(self._out) - self._used < n:
            chunks = []
            for _ in range(256):
                new = self._block()
                chunks.append(_LOW_PAIRS[new & 0x3FF] + _HIGH_PAIRS[new >> 10])
            self._out = self._out[self._used :] + "".join(chunks)
            self._used = 0
        chunk = self._out[self._used : self._used + n]
        self._used += n
        return chunk


def _field_elements(bits: _GrainBits, count: int, *, reject: bool) -> list[int]:
    """`count` 254-bit draws; with `reject`, draws >= r are discarded (else reduced mod r)."""
    out: list[int] = []
    while len(out) < count:
        value = int(bits.take(FIELD_BITS), 2)
        if value < R:
            out.append(value)
        elif not reject:
            out.append(value % R)
    return out


@cache
def poseidon_params(n_inputs: int) -> PoseidonParams:
    """circomlib's Poseidon instance for `n_inputs` (1..16) inputs."""
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, int) or not 1 <= n_inputs <= MAX_INPUTS:
        raise ValueError(f"Poseidon takes 1..{MAX_INPUTS} inputs, got {n_inputs!r}")
    t = n_inputs + 1
    n_partial = PARTIAL_ROUNDS[t - 2]
    bits = _GrainBits(t, n_partial)
    constants = _field_elements(bits, (FULL_ROUNDS + n_partial) * t, reject=True)
    # Cauchy matrix M[i][j] = 1 / (x_i + y_j) from 2t further draws (reduced, not rejected).
    xy = _field_elements(bits, 2 * t, reject=False)
    xs, ys = xy[:t], xy[t:]
    mds = tuple(tuple(pow(x + y, -1, R) for y in ys) for x in xs)
    return PoseidonParams(t, FULL_ROUNDS, n_partial, tuple(constants), mds)
