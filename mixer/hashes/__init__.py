"""circomlib-exact Poseidon and MiMCSponge, and the pool hash families built from them."""

from mixer.hashes.grain import PoseidonParams, poseidon_params
from mixer.hashes.mimc import MIMC_ROUND_CONSTANTS, mimc_feistel, mimc_sponge
from mixer.hashes.pool_hasher import HASHERS, ZERO_LEAF, PoolHasher, get_hasher
from mixer.hashes.poseidon import poseidon

__all__ = [
    "HASHERS",
    "MIMC_ROUND_CONSTANTS",
    "ZERO_LEAF",
    "PoolHasher",
    "PoseidonParams",
    "get_hasher",
    "mimc_feistel",
    "mimc_sponge",
    "poseidon",
    "poseidon_params",
]
