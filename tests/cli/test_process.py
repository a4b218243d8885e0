"""The `mixer` script as real processes: deposit and withdraw in separate processes on the
embedded chain and on anvil, crash safety of deposits, and `--debug`. (Steps around the
ones under test go through typer's runner, which is faster than a process start.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from mixer.chain import backend
from mixer.chain.embedded import dev_private_keys
from tests.support.chain_nodes import anvil
from tests.support.cli_helpers import (
    DEPTH,
    MIXER,
    env,
    new_home,
    one_error_line,
    run,
    run_json,
    run_script,
    spawn,
)

ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
"""anvil's first dev account (its well-known test mnemonic): the sender via --private-key."""


def mixer_json(home: Path, *args: str, **environ: str) -> dict[str, Any]:
    proc = spawn(home, "--json", *args, environ=env(**environ))
    assert proc.returncode == 0, f"mixer {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}"
    data = json.loads(proc.stdout)
    assert isinstance(data, dict) and data.pop("ok") is True
    return data


def _balance(home: Path, address: str, rpc_url: str | None = None) -> int:
    w3 = backend.connect(rpc_url, home)
    try:
        return int(w3.eth.get_balance(address))  # type: ignore[arg-type]
    finally:
        backend.close(w3)


def test_deposit_then_withdraw_in_separate_processes_on_the_embedded_chain(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    run_json(home, "deploy", "--depth", str(DEPTH))
    deposited = spawn(home, "deposit", "--account", "2", "--json")  # global options after the command
    assert deposited.returncode == 0, deposited.stderr
    note = json.loads(deposited.stdout)["note"]
    run_json(home, "--account", "3", "deposit")
    fresh = Account.create().address
    out = mixer_json(home, "withdraw", note, "--to", fresh)
    assert out["received"] == 10**17
    assert _balance(home, fresh) == 10**17
    status = run_json(home, "status")
    assert [n["state"] for n in status["notes"]] == ["spent", "deposited, unspent"]


def test_deposit_then_withdraw_on_anvil_via_rpc_url(tmp_path: Path) -> None:
    home = new_home(tmp_path / "home")
    with anvil() as w3:
        url = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]
        deployed = run_json(home, "--rpc-url", url, "deploy", "--depth", str(DEPTH))
        assert w3.eth.get_code(deployed["pool"])
        note = mixer_json(home, "--rpc-url", url, "--private-key", ANVIL_KEY_0, "deposit")["note"]
        assert f"-{w3.eth.chain_id}-" in note
        # withdrawn from another wallet that knows nothing but the note (and the circuit's key),
        # with the node given by the environment as README says
        elsewhere = new_home(tmp_path / "elsewhere")
        fresh = Account.create().address
        mixer_json(elsewhere, "--account", "5", "withdraw", note, "--to", fresh, MIXER_RPC_URL=url)
        assert w3.eth.get_balance(fresh) == 10**17
        again = spawn(home, "--rpc-url", url, "withdraw", note, "--to", fresh)
        assert again.returncode == 1
        assert "already spent" in one_error_line(again.stderr)
    assert not (home / "chain").exists()  # the embedded chain was never opened


KILLED_DEPOSIT = """
import os, signal, sys
from mixer.chain.pool import PoolClient
from wallet_cli.main import main

broadcast = PoolClient.deposit
crash_at = sys.argv.pop(1)

def broadcast_and_die(*args, **kwargs):
    # the deposit's one broadcast, with a SIGKILL right before it or right after it is mined
    if crash_at == "note-saved":
        os.kill(os.getpid(), signal.SIGKILL)
    broadcast(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)

PoolClient.deposit = broadcast_and_die
main()
"""
"""`mixer` with a process kill at the deposit's broadcast: as a power cut or `kill -9` would
(the fault injection lives here, not in the shipped code)."""


@pytest.mark.parametrize("crash_at", ["note-saved", "deposit-sent"])
def test_a_deposit_killed_midway_leaves_a_recoverable_usable_note(tmp_path: Path, crash_at: str) -> None:
    home = new_home(tmp_path)
    pool = run_json(home, "deploy", "--depth", str(DEPTH))["pool"]
    pool_before = _balance(home, pool)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_DEPOSIT, crash_at, "--home", str(home), "deposit"],
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr  # SIGKILL: no cleanup ran
    (saved,) = run_json(home, "notes", "list")["notes"]
    assert saved["state"] == "saved, deposit not seen" and saved["depositTx"] is None
    note = run_json(home, "notes", "show", "1")["note"]

    (recovered,) = run_json(home, "status")["notes"]
    if crash_at == "note-saved":  # never broadcast: no funds moved; the note can still be deposited
        assert recovered["state"].startswith("not deposited")
        assert _balance(home, pool) == pool_before
        run_json(home, "deposit", "--note", note)
    else:  # broadcast and mined: status finds the deposit and records it
        assert recovered["state"] == "deposited, unspent" and recovered["leafIndex"] == 0
        assert _balance(home, pool) == pool_before + 10**17
        retry = run(home, "deposit", "--note", note, ok=False)
        assert "already deposited" in one_error_line(retry.stderr)
    fresh = Account.create().address
    run_json(home, "withdraw", note, "--to", fresh)
    assert _balance(home, fresh) == 10**17


def test_debug_shows_the_traceback_and_errors_do_not(tmp_path: Path) -> None:
    plain = spawn(tmp_path, "deposit", "--note", "not-a-note")
    assert plain.returncode == 1
    assert "not a mixer note" in one_error_line(plain.stderr)
    debug = spawn(tmp_path, "deposit", "--note", "not-a-note", "--debug")
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr and "NoteError" in debug.stderr


def test_an_unfunded_private_key_is_insufficient_funds(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    run_json(home, "deploy", "--depth", str(DEPTH))
    broke = Account.create()
    assert bytes(broke.key) not in dev_private_keys()
    proc = spawn(home, "deposit", environ=env(MIXER_PRIVATE_KEY="0x" + bytes(broke.key).hex()))
    assert proc.returncode == 1
    assert "insufficient funds" in one_error_line(proc.stderr)


INTERRUPTED_START = """
import sys

class CtrlC:
    # Ctrl-C arriving while the chain libraries load (they take a second or more)
    def find_spec(self, name, path=None, target=None):
        if name == "web3":
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, CtrlC())
from wallet_cli.main import main
main()
"""


def test_ctrl_c_while_starting_is_one_line_and_status_130(tmp_path: Path) -> None:
    proc = run_script(INTERRUPTED_START, tmp_path, "status")
    assert proc.returncode == 130
    assert proc.stderr.split() == ["interrupted"] and proc.stdout == ""


# A real SIGINT in the middle of a command: the dev setup signals its own process first.
INTERRUPTED_COMMAND = """
import os, signal, sys, time
from mixer.snark import groth16

def interrupted_setup(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(5)
    raise AssertionError("SIGINT was not delivered")

groth16.setup = interrupted_setup
from wallet_cli.main import main
main()
"""


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_ctrl_c_during_a_command_is_one_line_and_status_130(tmp_path: Path, json_flag: list[str]) -> None:
    key = tmp_path / "w.key"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            INTERRUPTED_COMMAND,
            *json_flag,
            "snark",
            "setup",
            "withdraw-poseidon-1",
            str(key),
            "--dev",
        ],
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        # A runner started as a background job of a non-interactive shell ignores SIGINT and the
        # child would inherit SIG_IGN; a user's terminal always delivers it, so restore the default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.split()[-1:] == ["interrupted"] and "Traceback" not in proc.stderr
    assert "Aborted" not in proc.stderr + proc.stdout
    if json_flag:
        assert json.loads(proc.stdout) == {"ok": False, "error": "interrupted"}
    assert not key.exists()


def test_a_closed_stdout_pipe_is_not_reported_as_an_error(tmp_path: Path) -> None:
    """`mixer snark --help | head -1`: head may be gone before mixer writes."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        for args in (("snark", "--help"), ("--help",), ("notes", "list")):
            proc = subprocess.run(
                [str(MIXER), "--home", str(tmp_path), *args],
                stdout=write_end,
                stderr=subprocess.PIPE,
                env=env(),
                text=True,
                timeout=300,
                check=False,
            )
            assert proc.returncode == 1 and proc.stderr == "", (args, proc.stderr)
    finally:
        os.close(write_end)
