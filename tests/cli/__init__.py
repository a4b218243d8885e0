"""The `mixer` command: each command through typer's runner and as real processes, README, hostile input."""
