"""The global options, the user-error type and the exit statuses: standard library only, so
that the entry point and the light `mixer snark ...` commands can use them without loading
the chain libraries."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

EXIT_INTERRUPTED: Final = 130
"""128 + SIGINT, what a shell reports for a command stopped by Ctrl-C."""
PASSWORD_ENV: Final = "MIXER_PASSWORD"
HOME_ENV: Final = "MIXER_HOME"


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
    debug: bool = False


def default_home() -> Path:
    return Path.home() / ".mixer"


def home_of(global_options: list[str]) -> Path:
    """The home folder that `--home` among `global_options`, else MIXER_HOME, else the
    default names (as the app's own option parsing will read it)."""
    home = os.environ.get(HOME_ENV) or None
    for i, arg in enumerate(global_options):
        if arg == "--home" and i + 1 < len(global_options):
            home = global_options[i + 1]
        elif arg.startswith("--home="):
            home = arg.removeprefix("--home=")
    return Path(home) if home else default_home()
