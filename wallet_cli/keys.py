"""Proving keys kept in the home, one per circuit (`keys/withdraw-<hash>-<depth>.*`).

`<circuit>.key` holds the proving key (`mixer.snark.keys` format), `<circuit>.vkey.json`
the verifying key in snarkjs's JSON shape: `deploy` reads only the latter, so a pool can
be deployed for a key from any source, and `snarkjs groth16 verify` can use it as is.
`mixer setup` writes both (`wallet_cli/commands/setup.py`).
"""

from __future__ import annotations

from pathlib import Path

from circuits import registry
from mixer import jsonsafe
from mixer.chain.pool import vk_words
from mixer.home import prover_cache_dir
from mixer.snark import KeyMismatchError, SnarkFormatError, VerifyingKey, vk_from_snarkjs
from mixer.snark.cache import LoadedKey, ProverCache, load_checked_key
from wallet_cli.options import UserError

KEYS_DIR = "keys"


def key_dir(home: Path) -> Path:
    return home / KEYS_DIR


def proving_key_path(home: Path, circuit: str) -> Path:
    return key_dir(home) / f"{circuit}.key"


def verifying_key_path(home: Path, circuit: str) -> Path:
    return key_dir(home) / f"{circuit}.vkey.json"


def _missing(home: Path, circuit: str) -> UserError:
    hash_name = registry.parse(circuit).hash_name
    return UserError(
        f"no key for circuit {circuit} in {key_dir(home)}: run `mixer setup --dev --hash {hash_name}` "
        "(single-party, for development) or `mixer setup --zkey FILE`"
    )


def load_verifying_key(home: Path, circuit: str) -> VerifyingKey:
    """The home's verifying key of `circuit` (checked: every point in its group); UserError
    naming the fix if it is absent."""
    path = verifying_key_path(home, circuit)
    try:
        return vk_from_snarkjs(jsonsafe.loads(path.read_bytes(), what=str(path)))
    except FileNotFoundError:
        raise _missing(home, circuit) from None
    except (
        OSError,
        ValueError,
        jsonsafe.UntrustedJSONError,
    ) as exc:  # SnarkFormatError and JSON errors are ValueErrors
        raise UserError(f"the verifying key {path} is unusable: {exc}") from None


def installed_key_words(home: Path, circuit: str) -> list[int] | None:
    """The verifier words (`vk_words`) of the key installed for `circuit`, or None when this
    home cannot prove for it (no proving key, or no verifying key beside it)."""
    if not (proving_key_path(home, circuit).exists() and verifying_key_path(home, circuit).exists()):
        return None
    try:
        return vk_words(load_verifying_key(home, circuit))
    except ValueError as exc:
        raise UserError(f"the verifying key {verifying_key_path(home, circuit)} is unusable: {exc}") from None


def prover_cache(home: Path) -> ProverCache:
    """The home's prover cache: compiled circuits and proving keys already checked."""
    return ProverCache(prover_cache_dir(home))


def load_proving_key(home: Path, circuit: str, cache: ProverCache | None = None) -> LoadedKey:
    """The home's proving key for `circuit`, checked against the circuit it must prove
    (through `cache`: once per key file and version of the code), and the verifying key read
    from the key file itself, to check proofs with (`mixer.snark.cache`)."""
    path = proving_key_path(home, circuit)
    if not path.exists():
        raise _missing(home, circuit)
    try:
        return load_checked_key(path, registry.load(circuit, cache=cache), cache)
    except (SnarkFormatError, KeyMismatchError) as exc:
        raise UserError(f"the proving key {path} is unusable: {exc}") from None
    except OSError as exc:
        raise UserError(f"cannot read the proving key {path}: {exc.strerror or exc}") from None
