"""The wallet home is private: only its owner may list or read it.

It holds encrypted notes, proving keys, the synced pool caches and, on the embedded chain,
a database of every transaction the user made, which alone shows which deposits and
withdrawals are theirs. So the folder is 0700 and everything written under it 0600/0700.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
NOTES_FILE = "notes.sealed"
"""The wallet's notes (`mixer.wallet`), named here for the `mixer` script, which starts
deriving their key before it loads the wallet's libraries."""


def make_private(home: Path) -> bool:
    """Make files this process creates private (umask 077) and the home folder 0700.

    Returns True when an existing home was open to others and has just been tightened,
    so the caller can say so once.
    """
    os.umask(PRIVATE_UMASK)
    try:
        mode = stat.S_IMODE(home.stat().st_mode)
    except FileNotFoundError:
        return False  # created later, 0700 under the umask
    if mode & 0o077 == 0:
        return False
    home.chmod(mode & 0o700)
    return True


def make_private_dirs(folder: Path) -> None:
    """Create `folder` and every missing parent owner-only (0700), whatever the umask;
    existing folders are left as they are."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)
        path.chmod(0o700)


def prover_cache_dir(home: Path) -> Path:
    """Where the prover keeps compiled circuits and checked keys (`mixer.snark.cache`)."""
    return home / "prover-cache"
