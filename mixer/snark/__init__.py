"""Groth16 over BN254: the circuit DSL, R1CS, QAP, prover, verifier and snarkjs formats.

The public API, for callers outside this package:

- types: `Proof`; `VerifyingKey`, `ProvingKey`; the circuit DSL's `Circuit`;
- Groth16: `setup`, `prove` (with `precompute`'s `KeyTables` for a key kept loaded), `verify`;
- key files: `load_key` (our key file or a snarkjs `.zkey`), `save_key` (our key file);
- snarkjs JSON: `proof_to_snarkjs`/`proof_from_snarkjs` (proof.json),
  `vk_to_snarkjs`/`vk_from_snarkjs` (verification_key.json),
  `public_to_snarkjs`/`public_from_snarkjs` (public.json);
- errors: `SnarkFormatError` (an unusable file; `ForgeableKeyError` is one), `KeyMismatchError`,
  `WitnessError`, `CircuitError`, and the `DevSetupWarning` of a single-party setup.

Inside the package the modules import each other directly, never this package: its names
are loaded on first use (`__getattr__`), so that importing one submodule (the circuit DSL,
the `Proof` type) does not load the prover and every file format with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # the same names as _HOMES, for type checkers (`as`: re-exported)
    from mixer.snark.circuit import Circuit as Circuit
    from mixer.snark.circuit import CircuitError as CircuitError
    from mixer.snark.errors import SnarkFormatError as SnarkFormatError
    from mixer.snark.files import load_key as load_key
    from mixer.snark.files import save_key as save_key
    from mixer.snark.groth16 import DevSetupWarning as DevSetupWarning
    from mixer.snark.groth16 import KeyTables as KeyTables
    from mixer.snark.groth16 import WitnessError as WitnessError
    from mixer.snark.groth16 import precompute as precompute
    from mixer.snark.groth16 import prove as prove
    from mixer.snark.groth16 import setup as setup
    from mixer.snark.groth16 import verify as verify
    from mixer.snark.keys import ForgeableKeyError as ForgeableKeyError
    from mixer.snark.keys import KeyMismatchError as KeyMismatchError
    from mixer.snark.keys import ProvingKey as ProvingKey
    from mixer.snark.keys import VerifyingKey as VerifyingKey
    from mixer.snark.proof import Proof as Proof
    from mixer.snark.snarkjs import proof_from_snarkjs as proof_from_snarkjs
    from mixer.snark.snarkjs import proof_to_snarkjs as proof_to_snarkjs
    from mixer.snark.snarkjs import public_from_snarkjs as public_from_snarkjs
    from mixer.snark.snarkjs import public_to_snarkjs as public_to_snarkjs
    from mixer.snark.snarkjs import vk_from_snarkjs as vk_from_snarkjs
    from mixer.snark.snarkjs import vk_to_snarkjs as vk_to_snarkjs

_HOMES: Final = {
    "mixer.snark.circuit": ("Circuit", "CircuitError"),
    "mixer.snark.errors": ("SnarkFormatError",),
    "mixer.snark.files": ("load_key", "save_key"),
    "mixer.snark.groth16": (
        "DevSetupWarning",
        "KeyTables",
        "WitnessError",
        "precompute",
        "prove",
        "setup",
        "verify",
    ),
    "mixer.snark.keys": ("ForgeableKeyError", "KeyMismatchError", "ProvingKey", "VerifyingKey"),
    "mixer.snark.proof": ("Proof",),
    "mixer.snark.snarkjs": (
        "proof_from_snarkjs",
        "proof_to_snarkjs",
        "public_from_snarkjs",
        "public_to_snarkjs",
        "vk_from_snarkjs",
        "vk_to_snarkjs",
    ),
}
_HOME_OF: Final = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_HOME_OF)


def __getattr__(name: str) -> object:
    """A public name, imported from its module the first time it is asked for."""
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
