"""Proving keys on disk: our own key file or a snarkjs `.zkey`, told apart by their magic bytes.

Here rather than in `keys` (the types) or a format module, so that both formats import the
types and nothing imports back.
"""

from __future__ import annotations

from pathlib import Path

from mixer.atomic import write_file
from mixer.snark import iden3, keyfile
from mixer.snark.keys import ProvingKey, VerifyingKey


def save_key(pk: ProvingKey, path: Path | str) -> None:
    """Write `pk` in our key format, crash-safely (replaces an existing file)."""
    write_file(Path(path), keyfile.encode(pk), overwrite=True)


def load_key(path: Path | str) -> ProvingKey:
    """Read our key file or a snarkjs `.zkey`; every key is validated (refusing forgeable ones)."""
    return decode_key(Path(path).read_bytes())


def decode_key(data: bytes) -> ProvingKey:
    """The key in the bytes of our key file or of a snarkjs `.zkey`, validated as `load_key`."""
    if data.startswith(iden3.ZKEY_MAGIC):
        return iden3.read_zkey(data)
    return keyfile.decode(data)


def read_verifying_key(data: bytes) -> VerifyingKey:
    """Only the verifying key in the bytes of either key file, validated (`VerifyingKey.validate`):
    a few milliseconds, against ~0.4 s for the whole key at depth 20."""
    vk = iden3.read_zkey_vk(data) if data.startswith(iden3.ZKEY_MAGIC) else keyfile.decode_vk(data)
    vk.validate()
    return vk
