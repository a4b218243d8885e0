"""Proving keys kept in the home, one per circuit (`keys/withdraw-<hash>-<depth>.*`).

`<circuit>.key` holds the proving key (`mixer.snark.keys` format), `<circuit>.vkey.json`
the verifying key in snarkjs's JSON shape: `deploy` reads only the latter, so a pool can
be deployed for a key from any source, and `snarkjs groth16 verify` can use it as is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wallet_cli.session import UserError

KEYS_DIR = "keys"


def key_dir(home: Path) -> Path:
    return home / KEYS_DIR


def proving_key_path(home: Path, circuit: str) -> Path:
    return key_dir(home) / f"{circuit}.key"


def verifying_key_path(home: Path, circuit: str) -> Path:
    return key_dir(home) / f"{circuit}.vkey.json"


def _missing(home: Path, circuit: str) -> UserError:
    hash_name = circuit.split("-")[1]
    return UserError(
        f"no key for circuit {circuit} in {key_dir(home)}: run `mixer setup --dev --hash {hash_name}` "
        "(single-party, for development) or `mixer setup --zkey FILE`"
    )


def verifying_key(home: Path, circuit: str) -> dict[str, Any]:
    """The snarkjs-shaped verifying key of `circuit`; UserError naming the fix if absent."""
    path = verifying_key_path(home, circuit)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise _missing(home, circuit) from None
    except (OSError, ValueError) as exc:
        raise UserError(f"{path} is unreadable: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path} is not a snarkjs verification key")
    return data
