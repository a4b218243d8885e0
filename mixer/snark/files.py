"""Proving keys on disk: our own key file or a snarkjs `.zkey`, told apart by their magic bytes.

Here rather than in `keys` (the types) or a format module, so that both formats import the
types and nothing imports back.
"""

from __future__ import annotations

from pathlib import Path

from mixer.atomic import write_file
from mixer.snark import iden3
from mixer.snark.keyfile import decode, encode
from mixer.snark.keys import ProvingKey


def save_key(pk: ProvingKey, path: Path | str) -> None:
    """Write `pk` in our key format, crash-safely (replaces an existing file)."""
    write_file(Path(path), encode(pk), overwrite=True)


def load_key(path: Path | str) -> ProvingKey:
    """Read our key file or a snarkjs `.zkey`; every key is validated (refusing forgeable ones)."""
    data = Path(path).read_bytes()
    if data.startswith(iden3.ZKEY_MAGIC):
        return iden3.read_zkey(data)
    return decode(data)
