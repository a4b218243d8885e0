"""`mixer demo`: the whole story, told step by step with the real commands.

It runs in `<home>/demo` (a throwaway wallet and embedded chain, recreated each run; the
development proving key is kept there, so later runs skip the setup) and shows each step
as the command a user would type, followed by that command's own output.
"""

from __future__ import annotations

import os
import shlex
import shutil
import time
from pathlib import Path

import typer
from eth_account import Account
from rich.console import Console
from rich.panel import Panel

from mixer.chain import backend
from mixer.chain.client import Chain
from mixer.params import DEFAULT_DEPTH, circuit_name
from mixer.wallet import Wallet
from wallet_cli.args import DepthOption
from wallet_cli.keys import proving_key_path
from wallet_cli.options import PASSWORD_ENV, Options, UserError
from wallet_cli.view import table

DEMO_PASSWORD = "demo wallet password"
"""The throwaway demo wallet's password (it only ever holds notes of the demo chain)."""

DEPOSITORS = (1, 2, 3, 4)
"""Dev accounts that deposit; the first one, Alice, is the one who later withdraws."""


def _fresh(home: Path) -> None:
    """Remove everything of an earlier demo run except its proving keys."""
    home.mkdir(parents=True, exist_ok=True)
    for child in home.iterdir():
        if child.name == "keys":
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


def eth(wei: int) -> str:
    """ETH with 6 decimals: enough to see 0.1 move and the gas paid."""
    return f"{wei / 10**18:,.6f}"


def _balances(home: Path, addresses: dict[str, str]) -> dict[str, int]:
    w3 = backend.connect(None, home)
    try:
        chain = Chain(w3)
        return {name: chain.balance(a) for name, a in addresses.items()}
    finally:
        backend.close(w3)


def demo(
    ctx: typer.Context,
    depth: DepthOption = DEFAULT_DEPTH,
) -> None:
    """Tell the whole story on a local chain: deploy, deposits, a private withdrawal."""
    root = ctx.find_root().command  # the `mixer` command this one was registered on
    options = ctx.obj
    assert isinstance(options, Options)
    if options.json:
        raise UserError("the demo tells a story for people: run it without --json")
    console = Console(highlight=False)
    home = options.home / "demo"
    _fresh(home)
    os.environ[PASSWORD_ENV] = DEMO_PASSWORD
    started = time.monotonic()
    steps = 7
    step = 0

    def say(title: str, text: str) -> None:
        nonlocal step
        step += 1
        console.print()
        console.print(Panel(text, title=f"[bold]Step {step}/{steps}: {title}[/bold]", title_align="left"))

    def mixer(*args: str) -> None:
        console.print(f"[bold cyan]$ mixer {' '.join(args)}[/bold cyan]")
        code = root.main(["--home", str(home), *args], prog_name="mixer", standalone_mode=False)
        if code not in (None, 0):
            raise UserError(f"the demo stopped: `mixer {' '.join(args)}` failed")

    console.print(
        Panel(
            "A privacy pool: people deposit a fixed amount with a secret note; later anyone holding a "
            "note withdraws to a fresh address with a zero-knowledge proof that they own "
            "[italic]some[/italic] "
            "deposit, without revealing which. Everything runs on an embedded chain in "
            f"{home} (no server needed).",
            title="[bold]mixer demo[/bold]",
        )
    )
    circuit = circuit_name("poseidon", depth)
    say(
        "the proving key",
        f"The withdrawal circuit ({circuit}) needs a Groth16 key. The demo makes a single-party "
        "development key once (a few seconds) and keeps it for the next run.",
    )
    if proving_key_path(home, circuit).exists():
        console.print(f"Reusing the development key {proving_key_path(home, circuit)}")
    else:
        mixer("setup", "--dev", "--depth", str(depth))

    say("deploy a pool", "A hasher, a Groth16 verifier holding the key, and a 0.1 ETH pool.")
    mixer("deploy", "--denomination", "0.1", "--depth", str(depth))

    w3 = backend.connect(None, home)
    accounts = Chain(w3).accounts()
    backend.close(w3)
    recipient = str(Account.create().address)
    people = {f"depositor {i} (account {n})": accounts[n] for i, n in enumerate(DEPOSITORS, 1)}
    alice = next(iter(people))
    watched = {**people, "fresh address": recipient}
    before = _balances(home, watched)

    say(
        "deposits",
        f"{len(DEPOSITORS)} people deposit 0.1 ETH each from their own accounts. Each deposit makes a "
        "secret note, saved encrypted in the wallet before the transaction is sent.",
    )
    for n in DEPOSITORS:
        mixer("--account", str(n), "deposit")

    say("the pool", "Every deposit is a leaf of the pool's Merkle tree: the anonymity set.")
    mixer("status")

    note = Wallet.open(home, DEMO_PASSWORD).records()[0].note.to_string()
    say(
        "a private withdrawal",
        f"The first depositor withdraws to {recipient}, an address never used before. "
        "The proof shows the note belongs to one of the deposits, not which one.",
    )
    mixer("withdraw", note, "--to", recipient)

    after = _balances(home, watched)
    say("balances", "Who paid and who received (gas is why depositors paid a little more than 0.1).")
    console.print(
        table(
            "Balances (ETH)",
            ("account", "address", "before", "after", "change"),
            (
                (name, address, eth(before[name]), eth(after[name]), eth(after[name] - before[name]))
                for name, address in watched.items()
            ),
        )
    )

    say(
        "what the owner can disclose",
        f"On chain nothing links the withdrawal to {alice}'s deposit; the note does. Its owner can "
        "show an auditor the link (only after spending: the note controls unspent funds).",
    )
    mixer("compliance", note)
    console.print()
    console.print(
        f"[bold green]Done[/bold green] in {time.monotonic() - started:.0f} s. Look at the demo wallet "
        f"by hand (its password is {DEMO_PASSWORD!r}):"
    )
    # on a line of its own, unwrapped, so that it can be copied and run as it is
    tip = f"{PASSWORD_ENV}={shlex.quote(DEMO_PASSWORD)} mixer --home {shlex.quote(str(home))} notes list"
    console.print(tip, soft_wrap=True, markup=False)
    console.print("or start your own wallet with `mixer setup --dev`.")
