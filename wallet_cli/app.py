"""The full `mixer` typer app: every command, on the root command of `wallet_cli.root`.

Subcommand groups live in their own modules and are registered here.
`wallet_cli.main` is the script's entry point (light, so Ctrl-C while this loads is clean).
"""

from __future__ import annotations

from wallet_cli import compliance, demo, deploy, deposit, keys, notes, relay, status, withdraw
from wallet_cli.options import Options, UserError
from wallet_cli.root import add_snark, default_home, new_app

__all__ = ["Options", "UserError", "app", "default_home"]

app = new_app()
for command in (
    keys.setup,
    deploy.deploy,
    deposit.deposit,
    withdraw.withdraw,
    relay.relay,
    status.status,
    compliance.compliance,
    demo.demo,
):
    app.command()(command)
app.add_typer(notes.app, name="notes", help="Your notes: list, show, back up and restore.")
add_snark(app)
