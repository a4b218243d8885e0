"""The pool's incremental Merkle tree (DESIGN.md §3), mirrored off-chain.

Leaves fill from the left; empty subtrees hash to `zeros[level]`, starting from the
Tornado zero leaf. The tree keeps every node, so membership paths are lookups, and it
remembers the last `ROOT_HISTORY_SIZE` roots like the contract's ring. Bulk insertion hashes
each changed node once, level by level, instead of once per inserted leaf and level.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from mixer.field import is_element
from mixer.hashes import ZERO_LEAF, PoolHasher, get_hasher
from mixer.pair_hashing import hash_pairs
from mixer.params import MAX_DEPTH

ROOT_HISTORY_SIZE = 100


class TreeFullError(ValueError):
    """The tree already holds 2**depth leaves."""


def check_leaves(leaves: Sequence[int]) -> None:
    """ValueError unless every leaf is a field element."""
    for leaf in leaves:
        if isinstance(leaf, bool) or not isinstance(leaf, int) or not is_element(leaf):
            raise ValueError(f"a leaf must be a field element in [0, r), got {leaf!r}")


NodeAt = Callable[[int, int], int]
"""node_at(level, index): a node of the tree before it grows."""


Parents = Callable[[list[int]], list[int]]
"""parents(children): the hashes of the pairs children[0:2], children[2:4], ..."""


def grow(
    size: int,
    new: Sequence[int],
    zeros: Sequence[int],
    hasher: PoolHasher,
    node_at: NodeAt,
    parents: Parents | None = None,
) -> list[tuple[int, int, list[int]]]:
    """The nodes that change when a tree of `size` leaves gets the leaves `new`: for each
    level from the leaves (0) to the root (len(zeros) - 1), (level, first index, values).

    Each changed node is hashed once, by `parents` (default: in this process; a sync of many
    deposits passes `mixer.pair_hashing.PairHashing`). Of the old tree only the left
    neighbour of the first changed node of each level is read (`node_at`), so a tree kept on
    disk grows by reading one node per level; nodes right of the last leaf are empty
    subtrees (`zeros`)."""
    if parents is None:
        parents = partial(hash_pairs, hasher.name)
    out = []
    start, values = size, list(new)
    for level in range(len(zeros)):
        out.append((level, start, values))
        if level == len(zeros) - 1:
            break
        children = ([node_at(level, start - 1)] if start % 2 else []) + values
        if len(children) % 2:
            children.append(zeros[level])
        values = parents(children)
        start //= 2
    return out


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
    def hash_name(self) -> str:
        return str(self.hasher.name)

    @property
    def size(self) -> int:
        return len(self._levels[0])

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
        check_leaves(new)
        if len(self) + len(new) > self.capacity:
            raise TreeFullError(f"the tree is full: {self.capacity} leaves at depth {self.depth}")
        if not new:
            return
        for level, start, values in grow(len(self), new, self.zeros, self.hasher, self.node):
            del self._levels[level][start:]
            self._levels[level].extend(values)
        self._history.append(self.root)

    def leaf_index(self, leaf: int) -> int | None:
        """The index of the first leaf equal to `leaf` (None: not a leaf)."""
        try:
            return self._levels[0].index(leaf)
        except ValueError:
            return None

    def node(self, level: int, index: int) -> int:
        """The node at `index` of `level` (0: the leaves); IndexError right of the last leaf's."""
        return self._levels[level][index]

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
