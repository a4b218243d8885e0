"""The global options and the user-error type: light (standard library only), so that the
`mixer snark ...` commands can use them without loading the chain libraries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
