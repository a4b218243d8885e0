"""The `mixer` command: a wallet for deposits and withdrawals (typer + rich)."""
