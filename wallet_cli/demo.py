"""`mixer demo`: the whole story, told step by step on the terminal."""

from __future__ import annotations

from rich.console import Console


def run_demo() -> None:
    console = Console()
    console.print("[bold]mixer demo[/bold]: nothing to show yet.")
