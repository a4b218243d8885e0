"""Atomic file writes: all or nothing, never over an existing file unless asked."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mixer.atomic import AlreadyExistsError, write_file


def test_writes_new_file_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "notes.json"
    write_file(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["notes.json"]


def test_refuses_to_overwrite_without_permission(tmp_path: Path) -> None:
    target = tmp_path / "notes.json"
    target.write_bytes(b"precious")
    with pytest.raises(AlreadyExistsError, match="already exists; refusing to overwrite"):
        write_file(target, b"new")
    assert target.read_bytes() == b"precious"
    assert os.listdir(tmp_path) == ["notes.json"]


def test_overwrites_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "notes.json"
    target.write_bytes(b"old")
    write_file(target, b"new", overwrite=True)
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["notes.json"]


def test_failed_write_leaves_target_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "notes.json"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_file(target, "not bytes", overwrite=True)  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["notes.json"]


def test_missing_folder_is_an_error_not_a_partial_write(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_file(tmp_path / "absent" / "notes.json", b"x")
    assert os.listdir(tmp_path) == []
