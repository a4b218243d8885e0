"""Entry point of the `mixer` script.

Only the standard library (and `wallet_cli.options`, which is standard library only) is
imported at the top: web3 and py-evm take a second or more to load, and a Ctrl-C meanwhile
must be one line and exit status 130, not a traceback out of an import. The app itself is
`wallet_cli.app.app`, loaded inside the handler, as is `mixer.sealed` when the wallet's key
is derived ahead.
"""

from __future__ import annotations

import gc
import os
import sys

from wallet_cli.options import EXIT_INTERRUPTED, PASSWORD_ENV, home_of

WALLET_COMMANDS = frozenset({"status", "withdraw", "deposit", "notes", "compliance"})
"""Commands that open the wallet when there is one."""
GLOBAL_FLAGS = frozenset({"--json", "--debug"})
GLOBAL_VALUE_OPTIONS = frozenset({"--home", "--rpc-url", "--account", "--private-key"})


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options written after the command to the front, so that
    `mixer deposit --account 1` works like `mixer --account 1 deposit`. No command has an
    option of the same name; everything after `--` is left alone."""
    front, rest = split_global_options(args)
    return front + rest


def split_global_options(args: list[str]) -> tuple[list[str], list[str]]:
    """`args` as (global options with their values, the command and everything else)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name = arg.split("=", 1)[0]
        if arg == "--":
            rest += args[i:]
            break
        if name in GLOBAL_FLAGS or (name in GLOBAL_VALUE_OPTIONS and "=" in arg):
            front.append(arg)
            i += 1
        elif name in GLOBAL_VALUE_OPTIONS:
            front += args[i : i + 2]
            i += 2
        else:
            rest.append(arg)
            i += 1
    return front, rest


def exit_status(code: object) -> int:
    """The process exit status `sys.exit(code)` gives (printing a message code, as it does)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def derive_wallet_key_ahead(front: list[str]) -> None:
    """With MIXER_PASSWORD set, start the wallet's scrypt (~0.3 s) in a background thread:
    it runs on the other core while the command's libraries load (~0.6 s), and opening the
    wallet later takes its result (`mixer.sealed.derive_ahead`)."""
    password = os.environ.get(PASSWORD_ENV)
    if password:
        from mixer.home import NOTES_FILE
        from mixer.sealed import derive_ahead

        derive_ahead(home_of(front) / NOTES_FILE, password)


def main() -> None:
    front, rest = split_global_options(sys.argv[1:])
    proving = rest[:2] == ["snark", "prove"]
    if proving:
        # A one-shot proof builds no reference cycles worth collecting, yet the collector
        # would scan the imports' and the key's objects again and again as they are created
        # (~20 ms of a ~1.3 s process); the process ends through os._exit below.
        gc.disable()
    try:
        command = next((arg for arg in rest if not arg.startswith("-")), None)
        if command in WALLET_COMMANDS:
            derive_wallet_key_ahead(front)
        from wallet_cli.app import command_app, full_app

        app = full_app() if command is None else command_app(command)
        try:
            app(args=front + rest, prog_name="mixer")
        except SystemExit as done:
            if not proving:
                raise
            # `mixer snark prove` holds nothing that needs the interpreter's shutdown: its files
            # are written atomically and synced, its worker processes are gone. Exiting here
            # skips freeing the proving key's million objects one by one (~60 ms of a ~1 s
            # proof); the streams are flushed first, stdout where a closed pipe is handled.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(exit_status(done.code))
        finally:
            sys.stdout.flush()  # here, where a closed pipe can still be handled
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # the reader went away (`mixer --help | head`): say nothing and exit 1, as click does
        # for a closed pipe inside a command; stdout now points at /dev/null so that
        # Python's own flush at exit does not complain either
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
