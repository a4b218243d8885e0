"""Restoring a backup into a wallet: time to merge N notes (the issue measured 4.2 s for 4,000
with the old quadratic merge).

    python -m bench.restore

No peer exists for this (it is our own wallet format); the figure to watch is how the time
grows from 4,000 to 20,000 notes: linear means about 5x, quadratic 25x.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from mixer.backup import NoteRecord
from mixer.note import Note, Pool
from mixer.sealed import KdfParams
from mixer.wallet import Wallet

POOL = Pool("poseidon", "eth", "0.1", 1337, "0x5fbdb2315678afecb367f032d93f642f64180aa3")
CHEAP = KdfParams(n=2**10)


def merge_seconds(n: int) -> float:
    records = [NoteRecord(Note.generate(POOL)) for _ in range(n)]
    with tempfile.TemporaryDirectory() as home:
        wallet = Wallet.create(Path(home), "pw", kdf=CHEAP)
        start = time.perf_counter()
        assert wallet.merge(records) == n
        return time.perf_counter() - start


def main() -> None:
    times = {n: merge_seconds(n) for n in (4_000, 20_000)}
    for n, seconds in times.items():
        print(f"restore {n:6d} notes: {seconds:6.2f} s")
    print(f"growth 4k -> 20k: {times[20_000] / times[4_000]:.1f}x (linear ~5x, quadratic ~25x)")


if __name__ == "__main__":
    main()
