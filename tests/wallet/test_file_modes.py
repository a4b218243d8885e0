"""The wallet home and everything commands write into it are private to the user."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.support.cli_helpers import new_home, run, run_json


def _loose(home: Path) -> list[str]:
    """Every path under `home` (itself included) that someone else could read or list."""
    paths = [home, *home.rglob("*")]
    return [f"{p}: {oct(stat.S_IMODE(p.stat().st_mode))}" for p in paths if p.stat().st_mode & 0o077]


def test_should_keep_a_fresh_home_and_every_file_written_into_it_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run(home, "setup", "--dev", "--depth", "2")  # keys
    run_json(home, "deploy", "--depth", "2")  # embedded chain database, pools.json
    run_json(home, "deposit")  # wallet (notes), chain
    run_json(home, "status")  # deposit cache
    run_json(home, "notes", "backup", str(home / "backup.json"))
    written = {p.name for p in home.rglob("*")}
    assert {"keys", "chain", "pools.json", "cache", "backup.json"} <= written, written
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert _loose(home) == []


def test_should_tighten_an_existing_world_readable_home_and_say_so_once(tmp_path: Path) -> None:
    home = new_home(tmp_path / "home")
    home.chmod(0o755)
    first = run(home, "status")
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert "now private" in first.stderr + first.stdout
    second = run(home, "status")
    assert "now private" not in second.stderr + second.stdout
    assert _loose(home) == []
