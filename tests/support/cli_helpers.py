"""Running the `mixer` command in tests: through typer's runner, or as a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from circuits import registry
from mixer.snark.keyfile import VERSION as KEY_FILE_VERSION
from tests.support.tools import cached_artifact
from wallet_cli.app import app

MIXER = Path(sys.executable).parent / "mixer"
"""The installed console script, run as a user runs it."""
PASSWORD = "correct horse battery staple"
DEPTH = 3


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MIXER_")}
    return {**base, "MIXER_PASSWORD": PASSWORD, "COLUMNS": "200", **extra}


def run(home: Path, *args: str, environ: Mapping[str, str] | None = None, ok: bool = True) -> Result:
    """`mixer --home HOME ARGS...` through typer's runner (in this process)."""
    result = CliRunner().invoke(app, ["--home", str(home), *args], env=dict(environ or env()))
    if ok and result.exit_code != 0:
        raise AssertionError(
            f"mixer {' '.join(args)} failed ({result.exit_code}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def run_json(home: Path, *args: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """As `run` with --json: stdout must hold exactly one JSON object, saying `"ok": true`."""
    result = run(home, "--json", *args, environ=environ)
    data = json.loads(result.stdout)
    assert isinstance(data, dict) and data.pop("ok") is True
    return data


def spawn(
    home: Path, *args: str, environ: Mapping[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`mixer --home HOME ARGS...` as a separate process (the installed console script's code)."""
    return subprocess.run(
        [str(MIXER), "--home", str(home), *args],
        env=dict(environ or env()),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_script(script: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -c SCRIPT --home HOME ARGS...` in its own process: the command's code, driven by a
    test script that patches or inspects it before or after `main()`."""
    return subprocess.run(
        [sys.executable, "-c", script, "--home", str(home), *args],
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def one_error_line(stderr: str) -> str:
    """The single `error: ...` line a user error prints (and nothing else, no traceback)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got:\n{stderr}"
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in stderr
    return lines[0]


def dev_keys() -> Path:
    """A folder holding a development key for withdraw-poseidon-DEPTH, made once per machine
    by `mixer setup --dev` (an input of the CLI tests, like a fixture file; named by the
    circuit's digest and the key-file version, so a changed circuit or format gets a fresh key)."""
    circuit = f"withdraw-poseidon-{DEPTH}"
    digest = registry.compile(circuit).digest()[:16]

    def build(path: Path) -> None:
        run(path, "setup", "--dev", "--depth", str(DEPTH))

    return cached_artifact(f"cli-keys-v{KEY_FILE_VERSION}-{circuit}-{digest}", build) / "keys"


def new_home(path: Path) -> Path:
    """`path` as a wallet home with the development key installed."""
    shutil.copytree(dev_keys(), path / "keys")
    return path
