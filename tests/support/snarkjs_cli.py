"""Running the snarkjs command line in tests, and a small powers-of-tau file shared by all of them.

bench/ uses the same runner and powers of tau (it imports the tests' helpers), so a
benchmark and a test never disagree on how a tool is run or a ptau is made.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from tests.support.tools import cached_artifact, node_tool


def snarkjs(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `snarkjs args...` in `cwd`; return the finished process whatever its exit code."""
    return subprocess.run(
        [str(node_tool("snarkjs")), *map(str, args)], cwd=cwd, capture_output=True, text=True, check=False
    )


class CommandFailed(AssertionError):
    """A tool exited non-zero. An AssertionError so that it fails a test plainly; bench/
    scripts catch it and exit with its message."""


def run(cmd: Sequence[str | Path], cwd: Path) -> None:
    """Run a command, failing the test with its output if it exits non-zero."""
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        shown = " ".join([Path(cmd[0]).name, *map(str, cmd[1:])])
        raise CommandFailed(f"{shown} failed:\n{proc.stdout}\n{proc.stderr}")


PTAU_POWER = 8
"""2^8 by default: enough for up to 256 constraints + public inputs, and made in seconds.
2^10 (~15 s, once per machine) fits the depth-1 Poseidon withdrawal (702 rows); bench/prove.py's
2^13 (depth 20) takes a few minutes, once."""


def ptau(power: int = PTAU_POWER) -> Path:
    """A prepared (phase-2 ready) powers-of-tau file for domains up to 2^power, made once per machine."""

    def build(dest: Path) -> None:
        dest.mkdir(parents=True)
        tool = node_tool("snarkjs")
        run([tool, "powersoftau", "new", "bn128", str(power), "pot0.ptau"], dest)
        run([tool, "powersoftau", "contribute", "pot0.ptau", "pot1.ptau", "-e=mixer tests"], dest)
        run([tool, "powersoftau", "prepare", "phase2", "pot1.ptau", "pot.ptau"], dest)

    return cached_artifact(f"ptau-bn128-{power}-v1", build) / "pot.ptau"
