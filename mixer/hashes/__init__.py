"""circomlib-exact Poseidon and MiMCSponge, and the pool hash families built from them.

The names below are loaded on first use (`__getattr__`), `poseidon` excepted: building the
circuits needs only Poseidon's parameters (`grain`), and importing them must not also
compile the native hash functions, derive MiMC's constants and load a keccak library
(~0.3 s of a `mixer snark prove` process). Inside the package the modules import each
other directly."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # the same names as _HOMES, for type checkers (`as`: re-exported)
    from mixer.hashes.grain import PoseidonParams as PoseidonParams
    from mixer.hashes.grain import poseidon_params as poseidon_params
    from mixer.hashes.mimc import MIMC_ROUND_CONSTANTS as MIMC_ROUND_CONSTANTS
    from mixer.hashes.mimc import mimc_feistel as mimc_feistel
    from mixer.hashes.mimc import mimc_sponge as mimc_sponge
    from mixer.hashes.pool_hasher import HASHERS as HASHERS
    from mixer.hashes.pool_hasher import ZERO_LEAF as ZERO_LEAF
    from mixer.hashes.pool_hasher import PoolHasher as PoolHasher
    from mixer.hashes.pool_hasher import get_hasher as get_hasher

# Imported now, not on first use: the function shares its name with its module, and
# importing the module later would rebind the package's `poseidon` to the module.
from mixer.hashes.poseidon import poseidon as poseidon

_HOMES: Final = {
    "mixer.hashes.grain": ("PoseidonParams", "poseidon_params"),
    "mixer.hashes.mimc": ("MIMC_ROUND_CONSTANTS", "mimc_feistel", "mimc_sponge"),
    "mixer.hashes.pool_hasher": ("HASHERS", "ZERO_LEAF", "PoolHasher", "get_hasher"),
}
_HOME_OF: Final = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted([*_HOME_OF, "poseidon"])


def __getattr__(name: str) -> object:
    """A public name, imported from its module the first time it is asked for."""
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
