"""MiMCSponge, bit-identical to circomlib `MiMCSponge(n, 220, 1)` / circomlibjs `mimcsponge`.

Round constants come from circomlib's keccak chain: c_1 = keccak256(keccak256("mimcsponge")),
c_{i+1} = keccak256(c_i) (each reduced mod r when used), with the first and last round
constants set to 0.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from mixer.fastint import mpz
from mixer.field import R, is_element

ROUNDS = 220
SEED = b"mimcsponge"


def _round_constants() -> tuple[int, ...]:
    constants = [0] * ROUNDS
    digest = keccak(SEED)
    for i in range(1, ROUNDS - 1):
        digest = keccak(digest)
        constants[i] = int.from_bytes(digest, "big") % R
    return tuple(constants)


MIMC_ROUND_CONSTANTS: tuple[int, ...] = _round_constants()
_R = mpz(R)
_CONSTANTS = tuple(mpz(c) for c in MIMC_ROUND_CONSTANTS)


def mimc_feistel(left: int, right: int, key: int = 0) -> tuple[int, int]:
    """The 220-round MiMC Feistel permutation of (left, right) under `key` (circomlib MiMCFeistel)."""
    xl, xr, k, r = mpz(left), mpz(right), mpz(key), _R
    last = ROUNDS - 1
    for i, c in enumerate(_CONSTANTS):
        t = xl + k + c
        t2 = t * t % r
        t5 = t2 * t2 * t % r
        if i < last:
            xl, xr = (xr + t5) % r, xl
        else:
            xr = (xr + t5) % r
    return int(xl), int(xr)


def mimc_sponge(*inputs: int, key: int = 0) -> int:
    """circomlibjs `multiHash(inputs, key, 1)`: absorb each input into the rate, permute."""
    if not inputs:
        raise ValueError("MiMCSponge takes at least one input")
    for x in (*inputs, key):
        if isinstance(x, bool) or not isinstance(x, int) or not is_element(x):
            raise ValueError(f"MiMCSponge inputs and key must be field elements in [0, r), got {x!r}")
    rate, capacity = 0, 0
    for x in inputs:
        rate, capacity = mimc_feistel((rate + x) % R, capacity, key)
    return rate
