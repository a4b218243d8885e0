"""Crash-safe file writes: a reader sees the old file or the new one, never a torn mix.

The data goes to a temporary file in the same folder, is fsynced, then takes the target's
name in one atomic step; the folder is fsynced so the new name survives a power cut.
A new file is linked into place (`link` fails if the name exists, with no window for a
race), so an existing file is replaced only when the caller asks for it explicitly.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class AlreadyExistsError(FileExistsError):
    """The target exists and the caller did not ask to overwrite it; nothing was written."""


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write `data` to `path` atomically, with owner-only permissions (0600).

    Raises `AlreadyExistsError` when `path` exists and `overwrite` is false. On any error
    the target is left exactly as it was and the temporary file is removed.
    """
    path = Path(path)
    folder = path.parent
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise AlreadyExistsError(
                    f"{path} already exists; refusing to overwrite it (ask explicitly to replace it)"
                ) from None
            tmp.unlink()
        _fsync_dir(folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
