"""Poseidon's parameters, derived from the published Grain LFSR procedure.

The Poseidon authors generate round constants and the MDS matrix with an 80-bit Grain
shift register seeded by the instance's parameters (`generate_parameters_grain.sage` in the
reference repository). circomlib's tables come from that procedure for a 254-bit prime
field, x^5 S-box, 8 full rounds and the partial-round counts below; deriving them here
instead of pasting tables means a typo cannot hide in 2,000 hex constants, and the tests
compare the result with circomlibjs's own tables.
"""

from __future__ import annotations

from collections.abc import Iterator
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


def _grain(t: int, n_partial: int) -> Iterator[int]:
    """The Grain LFSR output bits for one instance (with the usual pair-filtering)."""
    # Seed: field type 1 (prime), S-box 0 (x^alpha), field size, width, rounds, then 30 ones.
    state = (
        _bits(1, 2)
        + _bits(0, 4)
        + _bits(FIELD_BITS, 12)
        + _bits(t, 12)
        + _bits(FULL_ROUNDS, 10)
        + _bits(n_partial, 10)
        + [1] * 30
    )
    pos = 0  # state is a sliding window: state[pos:pos+80] is the register

    def step() -> int:
        nonlocal pos
        s = state
        bit = s[pos + 62] ^ s[pos + 51] ^ s[pos + 38] ^ s[pos + 23] ^ s[pos + 13] ^ s[pos]
        s.append(bit)
        pos += 1
        return bit

    for _ in range(160):
        step()
    # Output filter: take bits in pairs; a leading 1 emits the second bit, a leading 0 drops it.
    while True:
        first = step()
        second = step()
        if first:
            yield second


def _field_elements(bits: Iterator[int], count: int, *, reject: bool) -> list[int]:
    """`count` 254-bit draws; with `reject`, draws >= r are discarded (else reduced mod r)."""
    out: list[int] = []
    while len(out) < count:
        value = 0
        for _ in range(FIELD_BITS):
            value = (value << 1) | next(bits)
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
    bits = _grain(t, n_partial)
    constants = _field_elements(bits, (FULL_ROUNDS + n_partial) * t, reject=True)
    # Cauchy matrix M[i][j] = 1 / (x_i + y_j) from 2t further draws (reduced, not rejected).
    xy = _field_elements(bits, 2 * t, reject=False)
    xs, ys = xy[:t], xy[t:]
    mds = tuple(tuple(pow(x + y, -1, R) for y in ys) for x in xs)
    return PoseidonParams(t, FULL_ROUNDS, n_partial, tuple(constants), mds)
