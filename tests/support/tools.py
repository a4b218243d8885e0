"""The dev-only npm tools (node_modules) and a cache for expensive artifacts, shared by the
tests and bench/."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
CACHE = ROOT / ".cache" / "tests"


def node_tool(name: str) -> Path:
    """Path of an npm-installed binary; fails (never skips) when the tools are missing,
    because a cross-check that silently does not run proves nothing."""
    path = NODE_MODULES / ".bin" / name
    if not path.exists() or shutil.which("node") is None:
        pytest.fail(f"{name} not installed: run `make setup` (npm ci) first")
    return path


def run_node(script: str, *args: str, timeout: float = 600) -> str:
    """Run a JavaScript snippet with the repo's node_modules resolvable; return stdout."""
    node_tool("snarkjs")  # any installed tool proves `npm ci` ran
    proc = subprocess.run(
        ["node", "-e", script, "--", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"node failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def cached_artifact(name: str, build: Callable[[Path], None]) -> Path:
    """Build `CACHE/name` once per machine, safely across pytest-xdist workers.

    `build(path)` must create `path` (a file or a folder). Used for slow inputs such as a
    powers-of-tau file: never for the results a test asserts on.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    target = CACHE / name
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            tmp = CACHE / f"{name}.partial"
            if tmp.is_dir():
                shutil.rmtree(tmp)
            elif tmp.exists():
                tmp.unlink()
            build(tmp)
            tmp.rename(target)
    return target
