"""The `mixer` command: a wallet for deposits and withdrawals (typer + rich)."""

# first of all: mixer records the interpreter's recursion limit before a chain library raises it
import mixer as _mixer  # noqa: F401
