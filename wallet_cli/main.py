"""Entry point of the `mixer` command: the typer app, global options and the error boundary.

User errors (`UserError`) print one line and exit non-zero; only `--debug` shows tracebacks.
Subcommand groups live in their own modules and are registered here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="mixer",
    help="A privacy pool wallet: deposit a fixed amount, withdraw it later to a fresh address.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class UserError(Exception):
    """An error caused by the user's input or environment: shown as one line, no traceback."""


@dataclass
class Options:
    """Global options, shared by every command through typer's context."""

    home: Path
    rpc_url: str | None = None
    account: str | None = None
    private_key: str | None = None
    json: bool = False


def default_home() -> Path:
    return Path.home() / ".mixer"


@app.callback()
def global_options(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(envvar="MIXER_HOME", help="Wallet folder (notes, keys, local chain); default ~/.mixer."),
    ] = None,
    rpc_url: Annotated[
        str | None,
        typer.Option(help="JSON-RPC node URL; default: the embedded local chain kept in the wallet folder."),
    ] = None,
    account: Annotated[
        str | None, typer.Option(help="Sender address (a funded dev account by default).")
    ] = None,
    private_key: Annotated[
        str | None, typer.Option(envvar="MIXER_PRIVATE_KEY", help="Sender key for --rpc-url networks.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")] = False,
) -> None:
    ctx.obj = Options(
        home=home or default_home(),
        rpc_url=rpc_url,
        account=account,
        private_key=private_key,
        json=json_output,
    )


@app.command()
def demo() -> None:
    """Tell the whole story on a local chain (grows as the project does)."""
    from wallet_cli.demo import run_demo

    run_demo()


def main() -> None:
    debug = "--debug" in sys.argv
    if debug:
        sys.argv.remove("--debug")
    try:
        app()
    except UserError as exc:
        if debug:
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
