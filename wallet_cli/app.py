"""The `mixer` root command: global options, the error boundary, and the registration of the
commands (one module each under `wallet_cli/commands/`).

User errors print one line (`error: ...`) on stderr and exit with status 1, whether the
app runs as the `mixer` script or under typer's test runner; only `--debug` shows
tracebacks.

Importing this module is light (no chain library): the script runs `command_app(name)`, the
root with only the command it was asked for, so that each command loads only what it
needs; `app`, the root with every command, is built on first use (for `--help` and tests).
"""

from __future__ import annotations

import importlib
import json
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Final

import typer
from typer.core import TyperGroup

from wallet_cli.errors import user_message
from wallet_cli.options import EXIT_INTERRUPTED, HOME_ENV, Options, default_home
from wallet_cli.output import fail

_JSON_META = "mixer.json"


def _wants_json(args: list[str]) -> bool:
    return "--json" in args[: args.index("--")] if "--" in args else "--json" in args


def _debug(ctx: Any) -> bool:
    """Whether --debug asked for tracebacks instead of one-line errors."""
    return isinstance(ctx.obj, Options) and ctx.obj.debug


class _ErrorBoundary(TyperGroup):
    """Turns the exceptions a user can cause into one line and exit status 1 (and, with
    --json, usage errors too into the JSON object)."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        json_output = _wants_json(args)  # before parsing, which consumes `args`
        try:
            ctx = super().make_context(info_name, args, parent, **extra)
        except typer.TyperException as exc:  # a usage error in the global options
            if not json_output:
                raise
            fail(exc.format_message(), exc.exit_code, json_output=True)
        ctx.meta[_JSON_META] = json_output
        return ctx

    def invoke(self, ctx: Any) -> Any:
        json_output = bool(ctx.meta.get(_JSON_META))
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, BrokenPipeError):  # click handles a closed stdout pipe
            raise
        except KeyboardInterrupt:  # click would say "Aborted!" and exit 1, unlike a shell's 130
            if _debug(ctx):
                raise
            if json_output:
                typer.echo(json.dumps({"ok": False, "error": "interrupted"}))
            typer.echo("\ninterrupted", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except typer.TyperException as exc:  # usage errors: typer reports them itself, unless --json
            if not json_output:
                raise
            fail(exc.format_message(), exc.exit_code, json_output=True)
        except Exception as exc:
            if _debug(ctx):
                raise
            message = user_message(exc)
            if message is None:
                fail(
                    f"{type(exc).__name__}: {exc} (run with --debug for the traceback)",
                    2,
                    json_output=json_output,
                    internal=True,
                )
            fail(message, 1, json_output=json_output)


def global_options(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(envvar=HOME_ENV, help="Wallet folder (notes, keys, local chain); default ~/.mixer."),
    ] = None,
    rpc_url: Annotated[
        str | None,
        typer.Option(
            envvar="MIXER_RPC_URL",
            help="JSON-RPC node URL; default: the embedded local chain kept in the wallet folder.",
        ),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option(help="Sender: an unlocked account's address or number (default: account 0)."),
    ] = None,
    private_key: Annotated[
        str | None, typer.Option(envvar="MIXER_PRIVATE_KEY", help="Sender key for --rpc-url networks.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
) -> None:
    ctx.obj = Options(
        home=home or default_home(),
        rpc_url=rpc_url,
        account=account,
        private_key=private_key,
        json=json_output,
        debug=debug,
    )


def new_app() -> typer.Typer:
    """The root command with its global options and error boundary, and no commands yet."""
    app = typer.Typer(
        name="mixer",
        cls=_ErrorBoundary,
        help="A privacy pool wallet: deposit a fixed amount, withdraw it later to a fresh address.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.callback()(global_options)
    return app


COMMANDS: Final = (
    "setup",
    "deploy",
    "deposit",
    "withdraw",
    "withdrawal-status",
    "relay",
    "status",
    "compliance",
    "demo",
    "notes",
    "relayer",
    "snark",
)
"""Every command and command group, in the order `mixer --help` lists them; each is the
module of its name under `wallet_cli.commands`, holding either the command's function (of
the same name) or, for a group, `register(app)`."""


def _register(app: typer.Typer, name: str) -> None:
    python_name = name.replace("-", "_")
    module = importlib.import_module(f"wallet_cli.commands.{python_name}")
    register = getattr(module, "register", None)
    if register is not None:
        register(app)
    else:
        app.command()(getattr(module, python_name))


def command_app(name: str) -> typer.Typer:
    """The root command with only the command `name`: what the script runs, so that a
    command loads only its own libraries (`snark` needs no chain library, `status` no
    relayer server). An unknown name gets the full app, which says what exists, and so does
    `demo`, which runs the other commands."""
    if name not in COMMANDS or name == "demo":
        return full_app()
    app = new_app()
    _register(app, name)
    return app


@cache
def full_app() -> typer.Typer:
    """The root command with every command (this loads the chain libraries)."""
    app = new_app()
    for name in COMMANDS:
        _register(app, name)
    return app


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # `from wallet_cli.app import app`: the full app, built on first use
        return full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
