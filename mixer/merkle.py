"""The pool's incremental Merkle tree (DESIGN.md §3), mirrored off-chain.

Leaves fill from the left; empty subtrees hash to `zeros[level]`, starting from the
Tornado zero leaf. The tree keeps every node, so membership paths are lookups, and it
remembers the last `ROOT_HISTORY_SIZE` roots like the contract's ring. Bulk insertion hashes
each changed node once, level by level, instead of once per inserted leaf and level.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from mixer.field import is_element
from mixer.hashes import ZERO_LEAF, PoolHasher, get_hasher
from mixer.params import MAX_DEPTH

ROOT_HISTORY_SIZE = 100


class TreeFullError(ValueError):
    """The tree already holds 2**depth leaves."""


def empty_subtree_roots(depth: int, hasher: PoolHasher) -> list[int]:
    """zeros[0] = the zero leaf, zeros[i+1] = node(zeros[i], zeros[i]), for i < depth."""
    zeros = [ZERO_LEAF]
    for _ in range(depth):
        zeros.append(hasher.node(zeros[-1], zeros[-1]))
    return zeros


class MerkleTree:
    """An append-only Merkle tree of `depth` levels over one pool hash family."""

    def __init__(self, depth: int = 20, hasher: str = "poseidon") -> None:
        if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
            raise ValueError(f"tree depth must be an integer in 1..{MAX_DEPTH}, got {depth!r}")
        self.depth = depth
        self.hasher = get_hasher(hasher)
        self.zeros = empty_subtree_roots(depth, self.hasher)
        self._levels: list[list[int]] = [[] for _ in range(depth + 1)]
        self._history: deque[int] = deque([self.zeros[depth]], maxlen=ROOT_HISTORY_SIZE)

    @property
    def capacity(self) -> int:
        return 1 << self.depth

    @property
    def leaves(self) -> list[int]:
        return list(self._levels[0])

    def __len__(self) -> int:
        return len(self._levels[0])

    @property
    def root(self) -> int:
        top = self._levels[self.depth]
        return top[0] if top else self.zeros[self.depth]

    def insert(self, leaf: int) -> int:
        """Append one leaf; returns its index."""
        self.insert_many([leaf])
        return len(self) - 1

    def insert_many(self, leaves: Iterable[int]) -> None:
        """Append leaves in order; only the final root enters the root history."""
        new = list(leaves)
        for leaf in new:
            if isinstance(leaf, bool) or not isinstance(leaf, int) or not is_element(leaf):
                raise ValueError(f"a leaf must be a field element in [0, r), got {leaf!r}")
        if len(self) + len(new) > self.capacity:
            raise TreeFullError(f"the tree is full: {self.capacity} leaves at depth {self.depth}")
        if not new:
            return
        start = len(self)
        self._levels[0].extend(new)
        pair = self.hasher.fast_pair
        for level in range(self.depth):
            below, above = self._levels[level], self._levels[level + 1]
            start //= 2
            del above[start:]
            zero = self.zeros[level]
            below = below[2 * start :] + ([zero] if len(below) % 2 else [])
            above.extend(pair(below[i], below[i + 1]) for i in range(0, len(below), 2))
        self._history.append(self.root)

    def path(self, index: int) -> tuple[list[int], list[int]]:
        """(path_elements, path_indices) of leaf `index`; path_indices[i] = bit i of index."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self):
            raise IndexError(f"no leaf at index {index!r} (the tree has {len(self)} leaves)")
        elements, indices = [], []
        for level in range(self.depth):
            nodes = self._levels[level]
            sibling = index ^ 1
            elements.append(nodes[sibling] if sibling < len(nodes) else self.zeros[level])
            indices.append(index & 1)
            index >>= 1
        return elements, indices

    def is_known_root(self, root: int) -> bool:
        """True if `root` is one of the last ROOT_HISTORY_SIZE roots (0 never is)."""
        return root != 0 and root in self._history


def verify_path(
    root: int, leaf: int, path_elements: Sequence[int], path_indices: Sequence[int], hasher: str
) -> bool:
    """True if hashing `leaf` up along the path gives `root`."""
    if len(path_elements) != len(path_indices) or any(b not in (0, 1) for b in path_indices):
        return False
    h = get_hasher(hasher)
    node = leaf
    for sibling, bit in zip(path_elements, path_indices, strict=True):
        node = h.node(sibling, node) if bit else h.node(node, sibling)
    return node == root
