"""The `mixer` command in a pseudo-terminal (100 columns), as a person sees it: the demo's
story, and the wallet password typed at hidden prompts."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shutil
import struct
import subprocess
import termios
import time
from pathlib import Path

from mixer.wallet import Wallet
from tests.support.cli_helpers import DEPTH, MIXER, dev_keys, env, new_home, run_json

COLUMNS = 100
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def run_in_terminal(
    args: list[str], environ: dict[str, str], answers: dict[str, str] | None = None, timeout: float = 300
) -> tuple[int, str]:
    """Run `args` with a pty as its terminal, typing each answer when its prompt appears;
    returns (exit status, everything it printed)."""
    pending = dict(answers or {})
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, COLUMNS, 0, 0))
    proc = subprocess.Popen(
        args, stdin=slave, stdout=slave, stderr=slave, env=environ, close_fds=True, start_new_session=True
    )
    os.close(slave)
    output = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            output += data
            for prompt in list(pending):
                if output.decode("utf-8", "replace").rstrip().endswith(prompt):
                    os.write(master, pending.pop(prompt).encode() + b"\n")
        status = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return status, ANSI.sub("", output.decode("utf-8", "replace")).replace("\r\n", "\n")


def terminal_env(**extra: str) -> dict[str, str]:
    environ = env(TERM="xterm-256color", **extra)
    for name in ("COLUMNS", "LINES", "NO_COLOR"):
        environ.pop(name, None)
    return environ


def test_demo_tells_the_whole_story_on_a_terminal(tmp_path: Path) -> None:
    shutil.copytree(dev_keys(), tmp_path / "demo" / "keys")  # as on a second run: no setup
    environ = terminal_env(MIXER_TREE_DEPTH=str(DEPTH))
    status, text = run_in_terminal([str(MIXER), "--home", str(tmp_path), "demo"], environ)
    assert status == 0, text[-3000:]
    assert "Traceback" not in text and "error:" not in text
    for step in range(1, 8):
        assert f"Step {step}/7" in text
    assert "Reusing the development key" in text
    for n in (1, 2, 3, 4):
        assert f"$ mixer --account {n} deposit" in text
    assert text.count("Deposit made") == 4
    assert "anonymity set" in text and "warning" in text  # 4 deposits: the small-set warning
    assert "Withdrawal made" in text and "Compliance report" in text
    fresh_row = next(line for line in text.splitlines() if line.startswith("│ fresh address"))
    assert re.search(r"0\.000000\s*│\s*0\.100000\s*│\s*0\.100000", fresh_row), fresh_row
    depositor_row = next(line for line in text.splitlines() if line.startswith("│ depositor 1"))
    assert "-0.100" in depositor_row  # 0.1 plus gas left the first depositor
    # notes are printed unwrapped on purpose (one line to copy); everything else fits
    # ... and so is the closing tip, a command to copy
    (tip,) = [line for line in text.splitlines() if line.startswith("MIXER_PASSWORD=")]
    wide = [line for line in text.splitlines() if len(line) > COLUMNS and not line.startswith("mixer1-")]
    assert wide in ([], [tip]), wide[:3]
    assert re.search(r"Done in \d+ s", text)
    # the tip works as printed, even with another wallet's password exported
    path = f"{MIXER.parent}{os.pathsep}{environ['PATH']}"
    tried = subprocess.run(
        ["bash", "-c", tip], env={**environ, "PATH": path}, capture_output=True, text=True, check=False
    )
    assert tried.returncode == 0 and "Notes in" in tried.stdout, tried.stderr
    assert environ["MIXER_PASSWORD"] != "demo wallet password"


def test_the_wallet_password_is_typed_at_hidden_prompts(tmp_path: Path) -> None:
    home = new_home(tmp_path / "home")
    run_json(home, "deploy", "--depth", str(DEPTH))
    environ = terminal_env()
    del environ["MIXER_PASSWORD"]
    mixer = [str(MIXER), "--home", str(home)]

    status, text = run_in_terminal(
        [*mixer, "deposit"], environ, {"New wallet password:": "s3cret", "Repeat the password:": "s3cret"}
    )
    assert status == 0, text
    assert "Deposit made" in text and "s3cret" not in text  # not echoed
    assert len(Wallet.open(home, "s3cret").records()) == 1

    status, text = run_in_terminal([*mixer, "notes", "list"], environ, {"Wallet password:": "guess"})
    assert status == 1 and "error: wrong password" in text and "Traceback" not in text

    other = new_home(tmp_path / "other")
    run_json(other, "deploy", "--depth", str(DEPTH))
    status, text = run_in_terminal(
        [str(MIXER), "--home", str(other), "deposit"],
        environ,
        {"New wallet password:": "one", "Repeat the password:": "two"},
    )
    assert status == 1 and "error: the two passwords differ" in text
    assert not (other / "notes.sealed").exists()
