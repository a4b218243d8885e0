"""Proving keys kept in the home, one per circuit (`keys/withdraw-<hash>-<depth>.*`).

`<circuit>.key` holds the proving key (`mixer.snark.keys` format), `<circuit>.vkey.json`
the verifying key in snarkjs's JSON shape: `deploy` reads only the latter, so a pool can
be deployed for a key from any source, and `snarkjs groth16 verify` can use it as is.
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer

from circuits import registry
from mixer.atomic import write_file
from mixer.note import HASHES
from mixer.snark import groth16
from mixer.snark.keys import KeyMismatchError, ProvingKey, VerifyingKey, load_key, save_key
from mixer.snark.proof import SnarkFormatError
from wallet_cli.session import DEPTH_ENV, Session, UserError
from wallet_cli.view import steps_bar, summary

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
    """The snarkjs-shaped verifying key of `circuit`, validated; UserError naming the fix if absent."""
    path = verifying_key_path(home, circuit)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise _missing(home, circuit) from None
    except (OSError, ValueError) as exc:
        raise UserError(f"{path} is unreadable: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path} is not a snarkjs verification key")
    try:
        VerifyingKey.from_snarkjs(data)  # a pool deployed with a degenerate key could be drained
    except SnarkFormatError as exc:
        raise UserError(f"{path} is unusable: {exc}") from None
    return data


def load_proving_key(home: Path, circuit: str) -> ProvingKey:
    """The home's proving key for `circuit`, checked against the circuit it must prove."""
    path = proving_key_path(home, circuit)
    if not path.exists():
        raise _missing(home, circuit)
    try:
        pk = load_key(path)
        pk.check_circuit(registry.compile(circuit))
    except (SnarkFormatError, KeyMismatchError) as exc:
        raise UserError(f"the proving key {path} is unusable: {exc}") from None
    return pk


def setup(
    ctx: typer.Context,
    dev: Annotated[
        bool, typer.Option("--dev", help="Single-party key for development: its creator can forge proofs.")
    ] = False,
    zkey: Annotated[
        Path | None, typer.Option(help="Import a snarkjs .zkey (e.g. from a multi-party ceremony).")
    ] = None,
    hash_name: Annotated[str, typer.Option("--hash", help="poseidon or mimcsponge.")] = "poseidon",
    depth: Annotated[int, typer.Option(hidden=True, min=1, max=32, envvar=DEPTH_ENV)] = 20,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing key.")] = False,
) -> None:
    """Install the withdrawal circuit's proving key in the home (needed by deploy and withdraw)."""
    s = Session.of(ctx)
    if dev == (zkey is not None):
        raise UserError("choose one: --dev (development key) or --zkey FILE (ceremony key)")
    if hash_name not in HASHES:
        raise UserError(f"--hash must be one of {', '.join(HASHES)}, not {hash_name!r}")
    circuit = f"withdraw-{hash_name}-{depth}"
    pk_path, vk_path = proving_key_path(s.home, circuit), verifying_key_path(s.home, circuit)
    if pk_path.exists() and not force:
        raise UserError(
            f"a key for {circuit} already exists in {key_dir(s.home)}; pools deployed with it need it "
            "to withdraw. Pass --force to replace it anyway"
        )
    r1cs = registry.compile(circuit)
    started = time.monotonic()
    if zkey is not None:
        try:
            pk = load_key(zkey)
            pk.check_circuit(r1cs)
        except (SnarkFormatError, KeyMismatchError) as exc:
            raise UserError(f"{zkey} cannot be used for {circuit}: {exc}") from None
        source = f"imported from {zkey}"
    else:
        bar, on_step = steps_bar(s.console, f"Development setup of {circuit}", groth16.SETUP_STEPS)
        with bar, warnings.catch_warnings():
            warnings.simplefilter("ignore", groth16.DevSetupWarning)
            pk = groth16.setup(r1cs, on_step=on_step)
        source = "single-party development setup"
        s.console.print(
            "[yellow]warning[/yellow]: this development key was made by one party (you): whoever "
            "knows its setup secrets can forge withdrawals. Use a ceremony key (--zkey) for real funds."
        )
    key_dir(s.home).mkdir(parents=True, exist_ok=True, mode=0o700)
    save_key(pk, pk_path)
    write_file(vk_path, (json.dumps(pk.vk.to_snarkjs(), indent=2) + "\n").encode(), overwrite=True)
    seconds = round(time.monotonic() - started, 1)
    if not s.options.json:
        summary(
            s.console,
            "Proving key installed",
            [
                ("circuit", circuit),
                ("constraints", f"{r1cs.n_constraints:,}"),
                ("source", source),
                ("proving key", pk_path),
                ("verifying key", vk_path),
                ("time", f"{seconds} s"),
            ],
        )
    s.result(
        {
            "circuit": circuit,
            "constraints": r1cs.n_constraints,
            "dev": dev,
            "provingKey": str(pk_path),
            "verifyingKey": str(vk_path),
            "seconds": seconds,
        }
    )
