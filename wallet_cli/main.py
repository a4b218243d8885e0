"""Entry point of the `mixer` command: the typer app and the error boundary.

User errors (`UserError`) print one line and exit non-zero; only `--debug` shows tracebacks.
Subcommand groups live in their own modules and are registered here.
"""

from __future__ import annotations

import sys

import typer

app = typer.Typer(
    name="mixer",
    help="A privacy pool wallet: deposit a fixed amount, withdraw it later to a fresh address.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


class UserError(Exception):
    """An error caused by the user's input or environment: shown as one line, no traceback."""


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
