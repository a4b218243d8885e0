"""`mixer demo` as a person sees it: run in a pseudo-terminal 100 columns wide."""

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

from cli_helpers import DEPTH, MIXER, dev_keys, env

COLUMNS = 100
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def run_in_terminal(args: list[str], environ: dict[str, str], timeout: float = 300) -> tuple[int, str]:
    """Run `args` with a pty as its terminal; returns (exit status, everything it printed)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, COLUMNS, 0, 0))
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=environ, close_fds=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        status = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return status, b"".join(chunks).decode("utf-8", "replace")


def test_demo_tells_the_whole_story_on_a_terminal(tmp_path: Path) -> None:
    shutil.copytree(dev_keys(), tmp_path / "demo" / "keys")  # as on a second run: no setup
    environ = env(MIXER_TREE_DEPTH=str(DEPTH), TERM="xterm-256color")
    for name in ("COLUMNS", "LINES", "NO_COLOR"):
        environ.pop(name, None)
    status, raw = run_in_terminal([str(MIXER), "--home", str(tmp_path), "demo"], environ)
    text = ANSI.sub("", raw).replace("\r\n", "\n")
    assert status == 0, text[-3000:]
    assert "\x1b[" in raw  # rich saw a terminal: colours and styles
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
    wide = [line for line in text.splitlines() if len(line) > COLUMNS and not line.startswith("mixer1-")]
    assert not wide, wide[:3]
    assert re.search(r"Done in \d+ s", text)
