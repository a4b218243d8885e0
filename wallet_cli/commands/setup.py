"""`mixer setup`: install the withdrawal circuit's proving key (and its verifying key) in the home."""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path
from typing import Annotated

import typer

from circuits import registry
from mixer.atomic import write_file
from mixer.params import DEFAULT_DEPTH, circuit_name
from mixer.snark import KeyMismatchError, SnarkFormatError, groth16, load_key, save_key, vk_to_snarkjs
from wallet_cli.args import DEFAULT_HASH, DepthOption, HashOption, hash_family
from wallet_cli.keys import key_dir, proving_key_path, verifying_key_path
from wallet_cli.options import UserError
from wallet_cli.session import Session
from wallet_cli.view import steps_bar, summary


def setup(
    ctx: typer.Context,
    dev: Annotated[
        bool, typer.Option("--dev", help="Single-party key for development: its creator can forge proofs.")
    ] = False,
    zkey: Annotated[
        Path | None, typer.Option(help="Import a snarkjs .zkey (e.g. from a multi-party ceremony).")
    ] = None,
    hash_name: HashOption = DEFAULT_HASH,
    depth: DepthOption = DEFAULT_DEPTH,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing key.")] = False,
) -> None:
    """Install the withdrawal circuit's proving key in the home (needed by deploy and withdraw)."""
    s = Session.of(ctx)
    if dev == (zkey is not None):
        raise UserError("choose one: --dev (development key) or --zkey FILE (ceremony key)")
    circuit = circuit_name(hash_family(hash_name), depth)
    pk_path, vk_path = proving_key_path(s.home, circuit), verifying_key_path(s.home, circuit)
    if pk_path.exists() and not force:
        raise UserError(
            f"a key for {circuit} already exists in {key_dir(s.home)}; pools deployed with it need it "
            "to withdraw. Pass --force to replace it anyway"
        )
    r1cs = registry.load(circuit).r1cs
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
    write_file(vk_path, (json.dumps(vk_to_snarkjs(pk.vk), indent=2) + "\n").encode(), overwrite=True)
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
