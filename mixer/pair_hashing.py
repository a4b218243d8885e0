"""Hashing a tree level's node pairs in several processes, for syncs of many deposits.

A cold sync of a large pool spends most of its time hashing: one Poseidon per node, about
as many nodes as deposits. The pairs of one level are independent, so a level of many
pairs is cut into one contiguous piece per worker process; small levels (every warm sync,
the upper levels of a cold one) are hashed here, where a process start would cost more
than it saves. The workers start on first need, on the policy of `mixer.processes`, and
stop when the `PairHashing` is closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Final

from mixer.hashes import get_hasher
from mixer.processes import context, default_workers

if TYPE_CHECKING:  # the pool's modules load only when a level is large enough to use one
    from multiprocessing.pool import Pool

PARALLEL_MIN_PAIRS: Final = 4096
"""Below this many pairs in a level, hashing them here is faster than sending them out."""


def hash_pairs(hash_name: str, children: Sequence[int]) -> list[int]:
    """[H(children[0], children[1]), H(children[2], children[3]), ...] in this process
    (the children are already field elements; `len(children)` is even)."""
    pair = get_hasher(hash_name).fast_pair
    return [pair(children[i], children[i + 1]) for i in range(0, len(children), 2)]


def _hash_piece(args: tuple[str, Sequence[int]]) -> list[int]:
    return hash_pairs(*args)


class PairHashing:
    """`hashing(children)`: the parents of `children` (as `hash_pairs`), in up to `workers`
    processes when there are many; use as a context manager, which stops them."""

    def __init__(self, hash_name: str, workers: int | None = None) -> None:
        self._name = hash_name
        self._workers = default_workers() if workers is None else max(1, workers)
        self._pool: Pool | None = None

    def __call__(self, children: Sequence[int]) -> list[int]:
        pairs = len(children) // 2
        if self._workers == 1 or pairs < PARALLEL_MIN_PAIRS:
            return hash_pairs(self._name, children)
        if self._pool is None:
            self._pool = context().Pool(self._workers - 1)
        # contiguous pieces of whole pairs; this process hashes the first while the others work
        size = -(-pairs // self._workers) * 2
        pieces = [(self._name, children[i : i + size]) for i in range(0, len(children), size)]
        theirs = self._pool.map_async(_hash_piece, pieces[1:], chunksize=1)
        return _hash_piece(pieces[0]) + [h for piece in theirs.get() for h in piece]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> PairHashing:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
