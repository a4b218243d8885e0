"""Every command of README.md's walkthrough, run as written (in a temporary HOME), and
the quick start's `make demo`, `--help` and every option the README names.

Only the environment differs from a newcomer's terminal: small trees (MIXER_TREE_DEPTH), a
free port for anvil, and the two placeholders a reader fills in (`<note>`, `<fresh address>`).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from eth_account import Account
from typer.testing import CliRunner

from mixer.chain import backend, embedded
from tests.support.chain_nodes import anvil
from tests.support.cli_helpers import DEPTH, dev_keys
from tests.support.tools import ROOT
from wallet_cli.app import app
from wallet_cli.main import hoist_global_options


def walkthrough_lines() -> list[str]:
    text = (ROOT / "README.md").read_text()
    after_quick_start = text.split("## Quick start", 1)[1].split("```", 2)[2]
    blocks = re.findall(r"```bash\n(.*?)```", after_quick_start, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def command_name(args: list[str]) -> str:
    """ "deposit" for `--account 1 deposit`, "notes show" for `notes show 1`."""
    commands = {"demo", "setup", "deploy", "deposit", "status", "notes", "withdraw", "relay", "compliance"}
    i = next(i for i, a in enumerate(args) if a in commands)
    return " ".join(args[i : i + 2]) if args[i] == "notes" else args[i]


def test_the_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    lines = walkthrough_lines()
    assert lines[0] == "mixer demo" and any(line.startswith("mixer withdraw") for line in lines)
    environ = {"HOME": str(tmp_path), "MIXER_TREE_DEPTH": str(DEPTH), "COLUMNS": "160"}
    # the demo reuses a proving key it finds, as on a second run
    shutil.copytree(dev_keys(), tmp_path / ".mixer" / "demo" / "keys")
    fresh, other_fresh = (Account.create().address for _ in range(2))
    relayer = Account.from_key(embedded.dev_private_keys()[3]).address  # README's relayer: account 3
    placeholders = {
        "<fresh address>": fresh,
        "<another fresh address>": other_fresh,
        "<relayer address>": relayer,
    }
    outputs: dict[str, str] = {}
    with anvil() as node:
        port = str(node.provider.endpoint_uri).rsplit(":", 1)[1]  # type: ignore[attr-defined]
        for line in lines:
            line = line.replace("~", str(tmp_path)).replace("8545", port)
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").partition("=")
                environ[name] = shlex.split(value)[0]
                continue
            if line.startswith("node_modules/.bin/anvil"):
                continue  # the node above already runs on `port`
            assert line.startswith("mixer "), line
            if "<note>" in line:
                shown = CliRunner().invoke(app, ["--json", "notes", "show", "1"], env=environ)
                line = line.replace("<note>", json.loads(shown.stdout)["note"])
            for placeholder, address in placeholders.items():
                line = line.replace(placeholder, address)
            args = shlex.split(line)[1:]
            redirect = args[args.index(">") + 1] if ">" in args else None  # `... > FILE`
            args = args[: args.index(">")] if redirect else args
            # as the `mixer` script does, which lets global options follow the command
            result = CliRunner().invoke(app, hoist_global_options(args), env=environ)
            assert result.exit_code == 0, f"{line}\n{result.stdout}\n{result.stderr}"
            if redirect:
                Path(redirect).write_text(result.stdout)
            outputs.setdefault(command_name(args), result.stdout)
        assert node.eth.get_balance(fresh) == 0
    assert "Step 7/7" in outputs["demo"]
    assert "Withdrawal made" in outputs["withdraw"]
    assert fresh in outputs["compliance"]
    assert "Restored 0 new notes" in outputs["notes restore"]
    home = Path(environ["MIXER_HOME"])
    status = CliRunner().invoke(app, ["--json", "status"], env=environ)
    states = [n["state"] for n in json.loads(status.stdout)["notes"]]
    assert states == ["spent", "spent"]  # the second one through the relayer
    assert "1 withdrawal(s) relayed in one transaction" in outputs["relay"]
    w3 = embedded.open_embedded(Path(environ["MIXER_HOME"]) / "chain")
    try:
        assert w3.eth.get_balance(other_fresh) == 9 * 10**16  # type: ignore[arg-type]
        # account 3 (1,000,000 ETH at genesis) earned the 0.01 fee and paid the gas
        assert 10**24 < w3.eth.get_balance(relayer) < 10**24 + 10**16  # type: ignore[arg-type]
    finally:
        backend.close(w3)
    assert (home / "notes.sealed").exists() and (tmp_path / "mixer-notes.backup").exists()


def test_the_quick_start_demo_and_every_option_the_readme_names_exist() -> None:
    """`make demo` is the `mixer demo` the walkthrough runs; `mixer --help` and
    `mixer COMMAND --help` work; and every --option README.md mentions is in some help."""
    # Run under `make test` too: a nested make would add "Entering/Leaving directory" lines.
    quiet = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    made = subprocess.run(
        ["make", "-n", "--no-print-directory", "demo"],
        cwd=ROOT,
        env=quiet,
        capture_output=True,
        text=True,
        check=True,
    )
    assert made.stdout.strip().splitlines()[-1].endswith("/mixer demo")
    commands = [
        "",
        "setup",
        "deploy",
        "deposit",
        "withdraw",
        "relay",
        "status",
        "compliance",
        "demo",
        "notes",
        "snark",
        "relayer",
        "relayer serve",
        "withdrawal-status",
    ]
    commands += [f"notes {sub}" for sub in ("list", "show", "backup", "restore")]
    helps = ""
    for command in commands:
        result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0 and "Usage: mixer" in result.stdout, command
        helps += result.stdout
    text = (ROOT / "README.md").read_text()
    prose = "\n".join(line for line in text.splitlines() if "anvil --port" not in line)  # anvil's own
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", prose))
    for span in re.findall(r"`([^`\n]*--[^`\n]*)`", prose):  # e.g. `setup --zkey FILE`: setup's option
        words = span.removeprefix("mixer ").split()
        command = next((" ".join(words[:n]) for n in (2, 1) if " ".join(words[:n]) in commands[1:]), "")
        if command:
            own = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"}).stdout
            assert all(w in own for w in words if w.startswith("--")), span
    assert {"--rpc-url", "--private-key", "--relayer", "--refund", "--print-record", "--zkey"} <= named
    assert sorted(o for o in named if o not in helps) == []
