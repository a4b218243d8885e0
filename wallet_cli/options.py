"""The global options, the user-error type and the exit statuses: standard library only, so
that the entry point and the light `mixer snark ...` commands can use them without loading
the chain libraries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

EXIT_INTERRUPTED: Final = 130
"""128 + SIGINT, what a shell reports for a command stopped by Ctrl-C."""


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
